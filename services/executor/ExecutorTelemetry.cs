using System.Diagnostics;
using System.Diagnostics.Metrics;
using Berth.Contracts;
using Berth.Executor.Sandbox;
using Berth.ServiceDefaults;

namespace Berth.Executor;

/// <summary>
/// The executor's spans and metrics: one span per shell call (GenAI's <c>execute_tool</c>), one
/// per command in it with its exit code, duration and output sizes, and one per container made
/// or claimed. Commands are recorded cut short and with secrets redacted; output never is.
/// </summary>
internal static class ExecutorTelemetry
{
    private static readonly Histogram<double> CommandDuration = BerthTelemetry.Meter.CreateHistogram<double>(
        "berth.command.duration", "s", "How long commands take in their sandbox, by outcome: exit, error_exit or timeout.");

    private static readonly Histogram<double> ToolCallDuration = BerthTelemetry.Meter.CreateHistogram<double>(
        "berth.tool_call.duration", "s", "How long shell calls take on the executor, from receipt to report, by outcome.");

    /// <summary>Reports the containers this executor holds, session and warm, whenever metrics are collected.</summary>
    public static ObservableGauge<int> ObserveContainers(DockerSandbox sandbox, string executorId)
    {
        var executor = new KeyValuePair<string, object?>("berth.executor.id", executorId);
        return BerthTelemetry.Meter.CreateObservableGauge("berth.containers", () => new[]
        {
            new Measurement<int>(sandbox.LiveContainers, executor, new("state", "session")),
            new Measurement<int>(sandbox.WarmContainers, executor, new("state", "warm")),
        }, "{container}", "Containers this executor holds: session containers and warm ones.");
    }

    public static Activity? StartToolCall(ToolCallRequested call, string executorId)
    {
        var activity = BerthTelemetry.Source.StartActivity("execute_tool shell", ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", "shell");
        activity?.SetTag("gen_ai.tool.call.id", call.CallId);
        activity?.SetTag("berth.session.id", call.SessionId.ToString());
        activity?.SetTag("berth.response.id", call.ResponseId);
        activity?.SetTag("berth.executor.id", executorId);
        activity?.SetTag("berth.commands", call.Commands.Count);
        if (call.Approval is { } approval)
        {
            activity?.AddEvent(BerthTelemetry.ApprovalEvent(approval));
        }

        return activity;
    }

    public static void ToolCallEnded(Activity? activity, string? containerId, string? errorCode, TimeSpan elapsed)
    {
        activity?.SetTag("berth.container.id", containerId);
        if (errorCode is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, errorCode);
            activity?.SetTag("error.type", errorCode);
        }

        ToolCallDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", errorCode ?? "ran"));
    }

    public static Activity? StartCommand(string command, int index)
    {
        var activity = BerthTelemetry.Source.StartActivity("shell command", ActivityKind.Internal);
        activity?.SetTag("berth.command", BerthTelemetry.SafeCommand(command));
        activity?.SetTag("berth.command.index", index);
        return activity;
    }

    public static void CommandEnded(Activity? activity, CommandOutput output, TimeSpan elapsed)
    {
        var outcome = output.TimedOut ? "timeout" : output.ExitCode == 0 ? "exit" : "error_exit";
        activity?.SetTag("berth.exit_code", output.ExitCode);
        activity?.SetTag("berth.timed_out", output.TimedOut);
        activity?.SetTag("berth.stdout.chars", output.Stdout.Length);
        activity?.SetTag("berth.stderr.chars", output.Stderr.Length);
        activity?.SetTag("berth.duration_ms", elapsed.TotalMilliseconds);
        CommandDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public static Activity? StartContainer(string operation, Guid sessionId)
    {
        var activity = BerthTelemetry.Source.StartActivity($"container {operation}", ActivityKind.Client);
        activity?.SetTag("berth.session.id", sessionId.ToString());
        return activity;
    }
}
