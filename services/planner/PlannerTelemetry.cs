using System.Diagnostics;
using System.Diagnostics.Metrics;
using Berth.ServiceDefaults;
using OpenAI.Chat;

namespace Berth.Planner;

/// <summary>
/// The planner's spans and metrics. Model calls follow OpenTelemetry's GenAI semantic
/// conventions (<c>gen_ai.*</c>), so any GenAI-aware backend reads them.
/// </summary>
public static class PlannerTelemetry
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

    public static void ModelAnswered(Activity? activity, string model, ChatCompletion completion, TimeSpan elapsed)
    {
        var input = completion.Usage?.InputTokenCount ?? 0;
        var output = completion.Usage?.OutputTokenCount ?? 0;
        activity?.SetTag("gen_ai.response.model", completion.Model);
        activity?.SetTag("gen_ai.response.id", completion.Id);
        activity?.SetTag("gen_ai.response.finish_reasons", new[] { FinishReason(completion.FinishReason) });
        activity?.SetTag("gen_ai.usage.input_tokens", input);
        activity?.SetTag("gen_ai.usage.output_tokens", output);
        activity?.SetTag("berth.tool_calls", completion.ToolCalls.Count);

        var tags = ModelTags(model);
        ModelCallDuration.Record(elapsed.TotalSeconds, tags);
        TokenUsage.Record(input, [.. tags, new("gen_ai.token.type", "input")]);
        TokenUsage.Record(output, [.. tags, new("gen_ai.token.type", "output")]);
    }

    public static void ModelFailed(Activity? activity, string model, string code, TimeSpan elapsed)
    {
        activity?.SetStatus(ActivityStatusCode.Error, code);
        activity?.SetTag("error.type", code);
        ModelCallDuration.Record(elapsed.TotalSeconds, [.. ModelTags(model), new("error.type", code)]);
    }

    public static void ResponseFinished(string status) =>
        ResponsesFinished.Add(1, new KeyValuePair<string, object?>("status", status));

    public static void WebhookAttempted(string outcome) =>
        WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static KeyValuePair<string, object?>[] ModelTags(string model) =>
        [new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "openai"), new("gen_ai.request.model", model)];

    private static string FinishReason(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.ToString(),
    };
}
