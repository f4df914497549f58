using System.Diagnostics;
using System.Diagnostics.Metrics;
using Berth.Contracts;
using Berth.ServiceDefaults;
using OpenAI.Chat;

namespace Berth.Planner;

/// <summary>
/// The planner's spans and metrics. Model calls follow OpenTelemetry's GenAI semantic
/// conventions (<c>gen_ai.*</c>), so any GenAI-aware backend reads them.
/// </summary>
internal static class PlannerTelemetry
{
    private static readonly Histogram<double> ModelCallDuration = BerthTelemetry.Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "How long model calls take.");

    private static readonly Histogram<long> TokenUsage = BerthTelemetry.Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Tokens per model call, by type (input or output).");

    private static readonly Counter<long> ResponsesFinished = BerthTelemetry.Meter.CreateCounter<long>(
        "berth.responses.finished", "{response}", "Responses that reached a terminal status, by status.");

    private static readonly Counter<long> WebhookDeliveries = BerthTelemetry.Meter.CreateCounter<long>(
        "berth.webhook.deliveries", "{attempt}", "Webhook delivery attempts, by outcome: delivered, retrying or dead.");

    public static Activity? StartModelCall(string model, string responseId, Guid sessionId, int step)
    {
        var activity = BerthTelemetry.Source.StartActivity($"chat {model}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.provider.name", "openai");
        activity?.SetTag("gen_ai.request.model", model);
        activity?.SetTag("berth.response.id", responseId);
        activity?.SetTag("berth.session.id", sessionId.ToString());
        activity?.SetTag("berth.step", step);
        return activity;
    }

    /// <summary>What the model answered, from a whole completion or the sum of a stream's chunks.</summary>
    public static void ModelAnswered(Activity? activity, string model, ModelAnswerFacts answer, TimeSpan elapsed)
    {
        activity?.SetTag("gen_ai.response.model", answer.ResponseModel);
        activity?.SetTag("gen_ai.response.id", answer.ResponseId);
        activity?.SetTag("gen_ai.response.finish_reasons", new[] { FinishReason(answer.FinishReason) });
        activity?.SetTag("gen_ai.usage.input_tokens", answer.InputTokens);
        activity?.SetTag("gen_ai.usage.output_tokens", answer.OutputTokens);
        activity?.SetTag("berth.tool_calls", answer.ToolCalls);
        if (answer.FirstTextAfter is { } first)
        {
            activity?.SetTag("berth.first_text_ms", first.TotalMilliseconds);
        }

        var tags = ModelTags(model);
        ModelCallDuration.Record(elapsed.TotalSeconds, tags);
        TokenUsage.Record(answer.InputTokens, [.. tags, new("gen_ai.token.type", "input")]);
        TokenUsage.Record(answer.OutputTokens, [.. tags, new("gen_ai.token.type", "output")]);
    }

    public static void ModelFailed(Activity? activity, string model, string code, TimeSpan elapsed)
    {
        activity?.SetStatus(ActivityStatusCode.Error, code);
        activity?.SetTag("error.type", code);
        ModelCallDuration.Record(elapsed.TotalSeconds, [.. ModelTags(model), new("error.type", code)]);
    }

    /// <summary>A shell call the model made that a person declined: its span, as the executor's would be, ends at once with the decision on it.</summary>
    public static void CallDeclined(string callId, string responseId, Guid sessionId, ApprovalDecision decision)
    {
        using var activity = BerthTelemetry.Source.StartActivity("execute_tool shell", ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", "shell");
        activity?.SetTag("gen_ai.tool.call.id", callId);
        activity?.SetTag("berth.session.id", sessionId.ToString());
        activity?.SetTag("berth.response.id", responseId);
        activity?.SetTag("berth.approval.declined", true);
        activity?.AddEvent(BerthTelemetry.ApprovalEvent(decision));
    }

    /// <summary>The step that paused a response for a person's approval says which call waits, and why.</summary>
    public static void ApprovalRequested(string requestId, string callId) =>
        Activity.Current?.AddEvent(new ActivityEvent("berth.approval.requested", tags: new ActivityTagsCollection
        {
            ["berth.approval.request_id"] = requestId,
            ["gen_ai.tool.call.id"] = callId,
        }));

    public static void ResponseFinished(string status) =>
        ResponsesFinished.Add(1, new KeyValuePair<string, object?>("status", status));

    public static void WebhookAttempted(string outcome) =>
        WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static KeyValuePair<string, object?>[] ModelTags(string model) =>
        [new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "openai"), new("gen_ai.request.model", model)];

    private static string FinishReason(ChatFinishReason? reason) => reason switch
    {
        null => "unknown",
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.Value.ToString(),
    };
}

/// <summary>The facts about a model's answer that its span and metrics record.</summary>
internal sealed record ModelAnswerFacts(string? ResponseModel, string? ResponseId, ChatFinishReason? FinishReason, int InputTokens, int OutputTokens, int ToolCalls, TimeSpan? FirstTextAfter = null);
