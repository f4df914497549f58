using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Responses;

/// <summary>
/// Every api instance hears every finished response on its own temporary queue, and wakes the
/// request that waits for it, if that request is here.
/// </summary>
internal sealed class ResponseFinishedConsumer(ResponseWaiters waiters) : IConsumer<ResponseFinished>
{
    public Task Consume(ConsumeContext<ResponseFinished> context)
    {
        waiters.Complete(context.Message.ResponseId, context.Message.Response);
        return Task.CompletedTask;
    }
}
