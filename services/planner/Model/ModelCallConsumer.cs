using System.ClientModel;
using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Calls the model for one step of a response and reports what it said. Never throws a model
/// error back to the bus: a failed call becomes <see cref="ModelCallFailed"/>, so the response
/// ends <c>failed</c> with the reason instead of waiting on a retry that cannot help.
/// </summary>
public sealed partial class ModelCallConsumer(IResponseStore store, ChatModels models, ILogger<ModelCallConsumer> logger) : IConsumer<CallModel>
{
    public async Task Consume(ConsumeContext<CallModel> context)
    {
        var request = context.Message;
        var chain = await store.GetChainAsync(request.ResponseId, context.CancellationToken);
        if (chain.Count == 0 || chain[^1].Id != request.ResponseId)
        {
            await Fail(context, "response_not_found", $"Response '{request.ResponseId}' is not in the store.");
            return;
        }

        var response = chain[^1].Snapshot;
        var options = new ChatCompletionOptions();
        if (response.Shell is not null)
        {
            options.Tools.Add(ShellTool.Definition);
        }

        ChatCompletion completion;
        using var span = PlannerTelemetry.StartModelCall(response.Model, request.ResponseId, request.SessionId, request.Step);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            completion = await models.For(response.Model).CompleteChatAsync(Conversation.Build(chain), options, context.CancellationToken);
            PlannerTelemetry.ModelAnswered(span, response.Model, completion, clock.Elapsed);
        }
        catch (ClientResultException e)
        {
            LogModelError(request.ResponseId, e.Status, e.Message);
            var code = e.Status switch
            {
                401 or 403 => "model_authentication_failed",
                404 => "model_not_found",
                429 => "model_rate_limited",
                >= 500 or 0 => "model_unavailable",
                _ => "model_request_rejected",
            };
            PlannerTelemetry.ModelFailed(span, response.Model, code, clock.Elapsed);
            await Fail(context, code, $"The model endpoint answered {Describe(e.Status)} for model '{response.Model}': {FirstLine(e.Message)}");
            return;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or AggregateException
            && !context.CancellationToken.IsCancellationRequested)
        {
            // The SDK reports a connection that failed on every retry as an AggregateException.
            var cause = e is AggregateException aggregate ? aggregate.InnerExceptions[^1] : e;
            LogModelError(request.ResponseId, 0, cause.Message);
            PlannerTelemetry.ModelFailed(span, response.Model, "model_unavailable", clock.Elapsed);
            await Fail(context, "model_unavailable", $"The model endpoint could not be reached: {FirstLine(cause.Message)}");
            return;
        }

        var calls = new List<ShellCallSpec>();
        var index = 0;
        foreach (var toolCall in completion.ToolCalls)
        {
            // Our own call ids: unique within the session whatever the model server sends, and
            // the same on a redelivery.
            var callId = Ids.Stable("call", request.ResponseId, request.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (toolCall.FunctionName != ShellTool.Name)
            {
                await Fail(context, "invalid_tool_call", $"The model called an unknown tool '{toolCall.FunctionName}'; only '{ShellTool.Name}' is offered.");
                return;
            }

            var (call, problem) = ShellTool.Parse(callId, toolCall.FunctionArguments);
            if (call is null)
            {
                await Fail(context, "invalid_tool_call", $"The model made a shell call that cannot run: {problem}.");
                return;
            }

            calls.Add(call);
        }

        var text = string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text));
        await context.Publish(new ModelResponded
        {
            SessionId = request.SessionId,
            ResponseId = request.ResponseId,
            Step = request.Step,
            Text = text.Length == 0 ? null : text,
            ShellCalls = calls,
            Usage = new TokenUsage(completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0),
        });
    }

    private static Task Fail(ConsumeContext<CallModel> context, string code, string message) =>
        context.Publish(new ModelCallFailed
        {
            SessionId = context.Message.SessionId,
            ResponseId = context.Message.ResponseId,
            Step = context.Message.Step,
            Code = code,
            Message = message,
        });

    private static string Describe(int status) => status == 0 ? "no HTTP status" : $"HTTP {status}";

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length <= 500 ? line : line[..500] + "…";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model call for {ResponseId} failed with status {Status}: {Error}")]
    private partial void LogModelError(string responseId, int status, string error);
}
