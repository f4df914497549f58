using System.Text.Json;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Files;

/// <summary>Files and their deletion as the api answers with them.</summary>
internal static class FileJson
{
    public static byte[] Serialize(FileSnapshot file) => JsonSerializer.SerializeToUtf8Bytes(FileObject.From(file), ApiJsonContext.Default.FileObject);

    public static byte[] SerializeList(IReadOnlyList<FileSnapshot> page, bool hasMore) =>
        JsonSerializer.SerializeToUtf8Bytes(ListPage.Of([.. page.Select(FileObject.From)], hasMore, f => f.Id), ApiJsonContext.Default.ListPageFileObject);

    public static byte[] SerializeDeleted(string fileId) => JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(fileId, "file"), ApiJsonContext.Default.DeletedObject);
}
