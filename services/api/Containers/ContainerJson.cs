using System.Text.Json;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>Containers as the api answers with them.</summary>
internal static class ContainerJson
{
    public static byte[] Serialize(ContainerSnapshot container) =>
        JsonSerializer.SerializeToUtf8Bytes(ContainerObject.From(container), ApiJsonContext.Default.ContainerObject);

    public static byte[] SerializeList(IReadOnlyList<ContainerSnapshot> page, bool hasMore) =>
        JsonSerializer.SerializeToUtf8Bytes(ListPage.Of([.. page.Select(ContainerObject.From)], hasMore, c => c.Id), ApiJsonContext.Default.ListPageContainerObject);

    public static byte[] SerializeDeleted(string containerId) =>
        JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(containerId, "container.deleted"), ApiJsonContext.Default.DeletedObject);
}
