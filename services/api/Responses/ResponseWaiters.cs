using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Responses;

/// <summary>Requests of this api instance that wait for their response to finish.</summary>
public sealed class ResponseWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResponseSnapshot?>> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Register before submitting, so a response that finishes at once is not missed. The task
    /// ends with the finished response when the planner sent it along, or with null.
    /// </summary>
    public Task<ResponseSnapshot?> Register(string responseId) =>
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

/// <summary>
/// Every api instance hears every finished response on its own temporary queue, and wakes the
/// request that waits for it, if that request is here.
/// </summary>
public sealed class ResponseFinishedConsumer(ResponseWaiters waiters) : IConsumer<ResponseFinished>
{
    public Task Consume(ConsumeContext<ResponseFinished> context)
    {
        waiters.Complete(context.Message.ResponseId, context.Message.Response);
        return Task.CompletedTask;
    }
}
