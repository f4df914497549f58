using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Responses;

/// <summary>Requests of this api instance that wait for their response to finish.</summary>
internal sealed class ResponseWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResponseSnapshot?>> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts waiting at once: called before submitting, so a response that finishes at once is not missed. The task
    /// ends with the finished response when the planner sent it along, or with null.
    /// </summary>
    public Task<ResponseSnapshot?> WaitForAsync(string responseId) =>
        _waiting.GetOrAdd(responseId, _ => new TaskCompletionSource<ResponseSnapshot?>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Remove(string responseId) => _waiting.TryRemove(responseId, out _);

    public void Complete(string responseId, ResponseSnapshot? finished)
    {
        if (_waiting.TryGetValue(responseId, out var waiter))
        {
            waiter.TrySetResult(finished?.Id == responseId ? finished : null);
        }
    }
}
