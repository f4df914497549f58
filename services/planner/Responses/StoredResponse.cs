using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>A response as the planner keeps it: what the api shows, plus the input it was given.</summary>
internal sealed record StoredResponse(ResponseSnapshot Snapshot, IReadOnlyList<InputMessage> Input)
{
    public string Id => Snapshot.Id;

    public bool IsFinished => Snapshot.Status is ResponseStatuses.Completed or ResponseStatuses.Failed
        or ResponseStatuses.Cancelled or ResponseStatuses.Incomplete;
}
