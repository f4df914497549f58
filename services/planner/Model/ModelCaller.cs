using System.ClientModel;
using System.Text;
using Berth.Contracts;
using Berth.Planner.Responses;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Asks the OpenAI-compatible endpoint for the next step of a response, with the whole chain
/// as its conversation. An error the endpoint returns, or a connection it refuses, becomes a
/// failed turn with a code a client can act on.
/// </summary>
internal sealed partial class ModelCaller(IResponseStore store, ChatModels models, ContextCheck context, ModelFiles modelFiles, Conversations.ConversationHistory history, Compactor compactor, TextDeltaRelay relay, ILogger<ModelCaller> logger) : IModelCaller
{
    public async Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken)
    {
        var chain = await store.GetChainAsync(responseId, cancellationToken);
        if (chain.Count == 0 || chain[^1].Id != responseId)
        {
            return ModelTurn.Failed(ErrorCodes.ResponseNotFound, $"Response '{responseId}' is not in the store.");
        }

        var response = chain[^1].Snapshot;
        var options = ChatOptions.For(response, stepNumber);

        // The api checks names against the catalog; a response queued before the catalog changed may still name one gone.
        if (models.For(response.Model) is not { } route)
        {
            return ModelTurn.Failed(RequestErrorCodes.ModelNotFound, $"The model '{response.Model}' is not in this deployment's model catalog.");
        }

        chain = await history.PrependAsync(chain, cancellationToken);
        var (files, gone) = await modelFiles.LoadAsync(chain, cancellationToken);
        if (files is null)
        {
            return ModelTurn.Failed(ErrorCodes.PayloadUnavailable, gone!);
        }

        Answer answer;
        ResponseItem? compaction = null;
        var compactionUsage = new TokenUsage(0, 0);
        using var span = PlannerTelemetry.StartModelCall(response.Model, responseId, sessionId, stepNumber);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (route.Slots is { } slots)
        {
            await slots.WaitAsync(cancellationToken);
        }

        try
        {
            var built = Conversation.Build(chain, files);
            if (response.Settings?.CompactThreshold is { } threshold && context.Exceeds(built, options, threshold))
            {
                (compaction, compactionUsage) = await compactor.CompactAsync(route.Chat, chain, stepNumber, threshold, cancellationToken);
                if (compaction is not null)
                {
                    span?.AddEvent(new System.Diagnostics.ActivityEvent("compaction", tags: new() { ["berth.compaction.covers_before"] = compaction.CompactsBefore }));
                    built = Conversation.Build([.. chain.Take(chain.Count - 1), chain[^1] with { Snapshot = response with { Output = [.. response.Output, compaction] } }], files);
                }
            }

            // A run grows with every command's output: the window is checked at every call.
            var (conversation, tooLong) = context.Fit(response, built, options);
            if (conversation is null)
            {
                return ModelTurn.Failed(ErrorCodes.ContextLengthExceeded, tooLong!);
            }

            // Someone may be reading the response as it runs (a stream, or a background response
            // read with ?stream=true): the model's words are relayed as they come. A response
            // waited for whole gets them whole, as one request.
            var chat = route.Chat;
            answer = response.Stream || response.Background
                ? await StreamAsync(chat, conversation, options, responseId, stepNumber, response.Stream, clock, cancellationToken)
                : Whole(await chat.CompleteChatAsync(conversation, options, cancellationToken));
            PlannerTelemetry.ModelAnswered(span, response.Model, answer.Facts, clock.Elapsed);
        }
        catch (ClientResultException e)
        {
            LogModelError(responseId, e.Status, e.Message);
            var code = e.Status switch
            {
                401 or 403 => ErrorCodes.ModelAuthenticationFailed,
                404 => RequestErrorCodes.ModelNotFound,
                429 => ErrorCodes.ModelRateLimited,
                >= 500 or 0 => ErrorCodes.ModelUnavailable,
                _ => ErrorCodes.ModelRequestRejected,
            };
            PlannerTelemetry.ModelFailed(span, response.Model, code, clock.Elapsed);
            // The model host's own answer may say more than a tenant should see (its internals,
            // another tenant's request): it goes to the log, and the tenant gets the trace id.
            return ModelTurn.Failed(code, $"The model endpoint answered {Describe(e.Status)} for model '{response.Model}'. {InTheLog()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or AggregateException or IOException
            && !cancellationToken.IsCancellationRequested)
        {
            // The SDK reports a connection that failed on every retry as an AggregateException.
            var cause = e is AggregateException aggregate ? aggregate.InnerExceptions[^1] : e;
            LogModelError(responseId, 0, cause.Message);
            PlannerTelemetry.ModelFailed(span, response.Model, ErrorCodes.ModelUnavailable, clock.Elapsed);
            return ModelTurn.Failed(ErrorCodes.ModelUnavailable, $"The model endpoint could not be reached. {InTheLog()}");
        }
        finally
        {
            route.Slots?.Release();
        }

        var calls = new List<ShellCallSpec>();
        var functions = new List<FunctionCallSpec>();
        var index = 0;
        foreach (var (name, arguments) in answer.ToolCalls)
        {
            // Our own call ids: unique within the session whatever the model server sends, and
            // the same on a redelivery.
            var callId = Ids.Stable("call", responseId, stepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (name == ShellTool.Name && response.Shell is not null)
            {
                var (call, problem) = ShellTool.Parse(callId, BinaryData.FromString(arguments));
                if (call is null)
                {
                    return ModelTurn.Failed(ErrorCodes.InvalidToolCall, $"The model made a shell call that cannot run: {problem}.");
                }

                calls.Add(call);
            }
            else if (response.Functions.Any(f => f.Name == name))
            {
                functions.Add(new FunctionCallSpec { CallId = callId, Name = name, Arguments = arguments });
            }
            else
            {
                return ModelTurn.Failed(ErrorCodes.InvalidToolCall, $"The model called a tool that was not offered: '{Truncated(name)}'.");
            }
        }

        return new ModelTurn
        {
            Text = answer.Text.Length == 0 ? null : answer.Text,
            TextStreamed = answer.TextStreamed,
            ShellCalls = calls,
            FunctionCalls = functions,
            Usage = new TokenUsage(answer.Facts.InputTokens + compactionUsage.InputTokens, answer.Facts.OutputTokens + compactionUsage.OutputTokens),
            Compaction = compaction,
        };
    }

    private static Answer Whole(ChatCompletion completion) => new(
        string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text)),
        [.. completion.ToolCalls.Select(call => (call.FunctionName, call.FunctionArguments.ToString()))],
        TextStreamed: false,
        new ModelAnswerFacts(completion.Model, completion.Id, completion.FinishReason, completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0, completion.ToolCalls.Count));

    /// <summary>
    /// The answer as it streams: text relayed to the response's events as it arrives, tool calls
    /// put together from their pieces (by index), usage from the last chunk, which the SDK asks
    /// for (<c>stream_options.include_usage</c>).
    /// </summary>
    private async Task<Answer> StreamAsync(ChatClient chat, IEnumerable<ChatMessage> conversation, ChatCompletionOptions options, string responseId, int step,
        bool clientStreams, System.Diagnostics.Stopwatch clock, CancellationToken cancellationToken)
    {
        await using var text = relay.Open(responseId, step, firstAtOnce: clientStreams);
        var whole = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Name, StringBuilder Arguments)>();
        TimeSpan? firstText = null;
        string? model = null, id = null;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(conversation, options, cancellationToken))
        {
            model ??= update.Model;
            id ??= update.CompletionId;
            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
            foreach (var part in update.ContentUpdate.Where(part => part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text)))
            {
                firstText ??= clock.Elapsed;
                whole.Append(part.Text);
                await text.AppendAsync(part.Text, cancellationToken);
            }

            foreach (var call in update.ToolCallUpdates)
            {
                var (name, arguments) = calls.TryGetValue(call.Index, out var known) ? known : (null, new StringBuilder());
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
                calls[call.Index] = (name ?? call.FunctionName, arguments);
            }
        }

        await text.CompleteAsync(cancellationToken);
        return new Answer(
            whole.ToString(),
            [.. calls.Values.Select(call => (call.Name ?? "", call.Arguments.ToString()))],
            text.Started,
            new ModelAnswerFacts(model, id, finish, usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, calls.Count, firstText));
    }

    private sealed record Answer(string Text, IReadOnlyList<(string Name, string Arguments)> ToolCalls, bool TextStreamed, ModelAnswerFacts Facts);

    private static string Truncated(string name) => name.Length <= 64 ? name : name[..64] + "…";

    private static string Describe(int status) => status == 0 ? "no HTTP status" : $"HTTP {status}";

    private static string InTheLog() => Berth.ServiceDefaults.LogPointer.InTheLog("planner");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model call for {ResponseId} failed with status {Status}: {Error}")]
    private partial void LogModelError(string responseId, int status, string error);
}
