using System.Text.Json;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>A response, its stream's events, and its input items, as the api answers with them (<see cref="ResponseObject"/>).</summary>
internal static class ResponseJson
{
    public static byte[] Serialize(ResponseSnapshot response) =>
        JsonSerializer.SerializeToUtf8Bytes(ResponseObject.From(response), ApiJsonContext.Default.ResponseObject);

    /// <inheritdoc cref="StreamEventObjects.From"/>
    public static byte[] SerializeEvent(ResponseStreamEvent e, ResponseSnapshot response) =>
        JsonSerializer.SerializeToUtf8Bytes(StreamEventObjects.From(e, response), ApiJsonContext.Default.Object);

    /// <summary>An input item, in the shapes of OpenAI's <c>ResponseItem</c>.</summary>
    public static byte[] SerializeItem(InputMessage item) =>
        JsonSerializer.SerializeToUtf8Bytes(ResponseItemObjects.From(item), ApiJsonContext.Default.Object);

    /// <summary>A page of input items, as <c>input_items</c> and a conversation's items list them.</summary>
    public static byte[] SerializeItems(IReadOnlyList<InputMessage> page, bool hasMore) =>
        JsonSerializer.SerializeToUtf8Bytes(ListPage.Of(page, hasMore, ResponseItemObjects.From, item => item.Id), ApiJsonContext.Default.ListPageObject);
}
