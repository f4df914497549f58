using Berth.Contracts;

namespace Berth.Planner.Responses;

public static class ResponseSnapshotExtensions
{
    /// <summary>
    /// Appends an item unless one with the same id is there: ids are derived from call ids and
    /// steps, so a redelivered message that replays a write changes nothing.
    /// </summary>
    public static ResponseSnapshot WithItem(this ResponseSnapshot response, ResponseItem item) =>
        response.Output.Any(existing => existing.Id == item.Id)
            ? response
            : response with { Output = [.. response.Output, item] };
}
