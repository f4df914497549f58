using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>
/// Every planner receives every cancel, on a queue of its own: the one making the response's model
/// call stops it, so a cancelled response costs no more tokens, and every planner remembers not
/// to make a call still queued for it.
/// </summary>
internal sealed class ModelCallCanceller(ModelTurns turns) : IConsumer<ResponseCancelRequested>
{
    public Task Consume(ConsumeContext<ResponseCancelRequested> context)
    {
        turns.Cancel(context.Message.ResponseId);
        return Task.CompletedTask;
    }
}
