using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>
/// Every planner receives every cancel, on a queue of its own: the one whose session step is
/// waiting on the model stops waiting, so the session is free for the cancel at once instead of
/// after the model's answer.
/// </summary>
public sealed class ModelCallCanceller(ModelTurns turns) : IConsumer<ResponseCancelRequested>
{
    public Task Consume(ConsumeContext<ResponseCancelRequested> context)
    {
        turns.Cancel(context.Message.ResponseId);
        return Task.CompletedTask;
    }
}
