using System.ClientModel;
using Berth.Contracts;
using Berth.Planner.Responses;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Asks the OpenAI-compatible endpoint for the next step of a response, with the whole chain
/// as its conversation. An error the endpoint returns, or a connection it refuses, becomes a
/// failed turn with a code a client can act on.
/// </summary>
public sealed partial class ModelCaller(IResponseStore store, ChatModels models, ILogger<ModelCaller> logger) : IModelCaller
{
    public async Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken)
    {
        var chain = await store.GetChainAsync(responseId, cancellationToken);
        if (chain.Count == 0 || chain[^1].Id != responseId)
        {
            return ModelTurn.Failed("response_not_found", $"Response '{responseId}' is not in the store.");
        }

        var response = chain[^1].Snapshot;
        var options = new ChatCompletionOptions();
        if (response.Shell is not null)
        {
            options.Tools.Add(ShellTool.Definition);
        }

        ChatCompletion completion;
        using var span = PlannerTelemetry.StartModelCall(response.Model, responseId, sessionId, stepNumber);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            completion = await models.For(response.Model).CompleteChatAsync(Conversation.Build(chain), options, cancellationToken);
            PlannerTelemetry.ModelAnswered(span, response.Model, completion, clock.Elapsed);
        }
        catch (ClientResultException e)
        {
            LogModelError(responseId, e.Status, e.Message);
            var code = e.Status switch
            {
                401 or 403 => "model_authentication_failed",
                404 => "model_not_found",
                429 => "model_rate_limited",
                >= 500 or 0 => "model_unavailable",
                _ => "model_request_rejected",
            };
            PlannerTelemetry.ModelFailed(span, response.Model, code, clock.Elapsed);
            // The model host's own answer may say more than a tenant should see (its internals,
            // another tenant's request): it goes to the log, and the tenant gets the trace id.
            return ModelTurn.Failed(code, $"The model endpoint answered {Describe(e.Status)} for model '{response.Model}'. {InTheLog()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or AggregateException
            && !cancellationToken.IsCancellationRequested)
        {
            // The SDK reports a connection that failed on every retry as an AggregateException.
            var cause = e is AggregateException aggregate ? aggregate.InnerExceptions[^1] : e;
            LogModelError(responseId, 0, cause.Message);
            PlannerTelemetry.ModelFailed(span, response.Model, "model_unavailable", clock.Elapsed);
            return ModelTurn.Failed("model_unavailable", $"The model endpoint could not be reached. {InTheLog()}");
        }

        var calls = new List<ShellCallSpec>();
        var index = 0;
        foreach (var toolCall in completion.ToolCalls)
        {
            // Our own call ids: unique within the session whatever the model server sends, and
            // the same on a redelivery.
            var callId = Ids.Stable("call", responseId, stepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (toolCall.FunctionName != ShellTool.Name)
            {
                return ModelTurn.Failed("invalid_tool_call", $"The model called an unknown tool '{toolCall.FunctionName}'; only '{ShellTool.Name}' is offered.");
            }

            var (call, problem) = ShellTool.Parse(callId, toolCall.FunctionArguments);
            if (call is null)
            {
                return ModelTurn.Failed("invalid_tool_call", $"The model made a shell call that cannot run: {problem}.");
            }

            calls.Add(call);
        }

        var text = string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text));
        return new ModelTurn
        {
            Text = text.Length == 0 ? null : text,
            ShellCalls = calls,
            Usage = new TokenUsage(completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0),
        };
    }

    private static string Describe(int status) => status == 0 ? "no HTTP status" : $"HTTP {status}";

    private static string InTheLog() => Berth.ServiceDefaults.LogPointer.InTheLog("planner");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model call for {ResponseId} failed with status {Status}: {Error}")]
    private partial void LogModelError(string responseId, int status, string error);
}
