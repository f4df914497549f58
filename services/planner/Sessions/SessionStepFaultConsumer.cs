using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions;

/// <summary>
/// A session message that failed past its retries sits in the error queue, and the step it
/// carried never happens: left alone, its response would wait for ever. MassTransit publishes a
/// <see cref="Fault{T}"/> for each such message; this ends the response it belonged to at once.
/// A fault in the session's own way of ending a response (a cancel, a failure) is answered here
/// directly in the store, as the session cannot answer it.
/// </summary>
internal sealed partial class SessionStepFaultConsumer(ResponseEnding ending, IResponseStore store, ILogger<SessionStepFaultConsumer> logger) :
    IConsumer<Fault<ToolCallCompleted>>,
    IConsumer<Fault<ModelAnswered>>,
    IConsumer<Fault<AskModel>>,
    IConsumer<Fault<ResponseQueued>>,
    IConsumer<Fault<ResponseCancelRequested>>,
    IConsumer<Fault<FailResponse>>
{
    public Task Consume(ConsumeContext<Fault<ToolCallCompleted>> context) =>
        FailThroughSessionAsync(context, context.Message.Message.SessionId, context.Message.Message.ResponseId);

    public Task Consume(ConsumeContext<Fault<ModelAnswered>> context) =>
        FailThroughSessionAsync(context, context.Message.Message.SessionId, context.Message.Message.ResponseId);

    /// <summary>The model call broke past its retries in a way the caller did not turn into a failed turn (its answer could not be sent).</summary>
    public Task Consume(ConsumeContext<Fault<AskModel>> context) =>
        FailThroughSessionAsync(context, context.Message.Message.SessionId, context.Message.Message.ResponseId);

    public Task Consume(ConsumeContext<Fault<ResponseQueued>> context) =>
        FailThroughSessionAsync(context, context.Message.Message.SessionId, context.Message.Message.ResponseId);

    public Task Consume(ConsumeContext<Fault<ResponseCancelRequested>> context) =>
        EndDirectlyAsync(context, context.Message.Message.SessionId, context.Message.Message.ResponseId, ResponseStatuses.Cancelled, null);

    public Task Consume(ConsumeContext<Fault<FailResponse>> context)
    {
        var failed = context.Message.Message;
        return EndDirectlyAsync(context, failed.SessionId, failed.ResponseId, ResponseStatuses.Failed, new ResponseError(failed.Code, failed.Message));
    }

    /// <summary>Through the session, so that its next response starts; if that breaks too, the fault of the <see cref="FailResponse"/> ends it here.</summary>
    private async Task FailThroughSessionAsync<T>(ConsumeContext<Fault<T>> context, Guid sessionId, string responseId)
        where T : class
    {
        var reason = context.Message.Exceptions.FirstOrDefault()?.Message ?? "no details";
        LogStepFaulted(sessionId, responseId, typeof(T).Name, reason);
        await context.Send(Endpoints.Sessions, new FailResponse
        {
            SessionId = sessionId,
            ResponseId = responseId,
            Code = ErrorCodes.ServerError,
            Message = $"A step of this response failed past its retries ({typeof(T).Name}: {reason}); the response was ended rather than left waiting.",
        });
    }

    private async Task EndDirectlyAsync<T>(ConsumeContext<Fault<T>> context, Guid sessionId, string responseId, string status, ResponseError? error)
        where T : class
    {
        var response = await store.FindAsync(responseId, context.CancellationToken);
        if (response is null || response.IsFinished || response.Snapshot.SessionId != sessionId)
        {
            return;
        }

        LogEndedDirectly(sessionId, responseId, status);
        await ending.EndNowAsync(context, sessionId, responseId, status, error, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: a {MessageType} of response {ResponseId} failed past its retries ({Reason}); failing the response")]
    private partial void LogStepFaulted(Guid sessionId, string responseId, string messageType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId} could not end response {ResponseId}; ended it {Status} in the store directly")]
    private partial void LogEndedDirectly(Guid sessionId, string responseId, string status);
}
