using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>
/// Makes a session's model call, off the session: the session's step ended when it sent
/// <see cref="AskModel"/>, so its other messages (a cancel, the next response) are never queued
/// behind the model, and neither is any other session's. The delivery is held while the model
/// thinks, so a planner that stops or dies mid-call leaves the question to another planner.
/// </summary>
internal sealed class AskModelConsumer(ModelTurns turns, PayloadStore payloads) : IConsumer<AskModel>
{
    public async Task Consume(ConsumeContext<AskModel> context)
    {
        var ask = context.Message;
        var turn = await turns.AskAsync(ask.SessionId, ask.ResponseId, ask.Step, context.CancellationToken);
        if (turn is null)
        {
            // Cancelled before or while the model thought: the cancel ends the response.
            return;
        }

        var address = await payloads.OffloadJsonAsync(turn, PayloadJson.Default.ModelTurn, context.CancellationToken);
        await context.Send(Endpoints.Sessions, new ModelAnswered
        {
            SessionId = ask.SessionId,
            ResponseId = ask.ResponseId,
            Step = ask.Step,
            Turn = address is null ? turn : null,
            TurnAddress = address,
        });
    }
}
