using Berth.Contracts;
using Berth.Executor.Identity;
using Berth.Executor.Sandbox;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>
/// Runs a shell call's commands one after another in the session's container and reports
/// them. Only a sandbox that cannot run at all (no image, no engine, container gone) is an
/// error; whatever the commands themselves do is output. A call delivered more than once runs
/// once (<see cref="CallJournal"/>); one whose container another executor on this engine holds
/// is passed on to that executor.
/// </summary>
public sealed partial class ToolCallConsumer(
    DockerSandbox sandbox,
    RunningCalls running,
    CallJournal journal,
    IOptions<ExecutorOptions> options,
    ILogger<ToolCallConsumer> logger,
    ExecutorIdentity? identity = null) : IConsumer<ToolCallRequested>
{
    private const string WaitingSinceHeader = "Berth-Waiting-Since";
    private static readonly TimeSpan RequeuePause = TimeSpan.FromSeconds(1);

    // Often enough to feel live; each chunk is a message through the session's saga.
    private static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(250);

    public async Task Consume(ConsumeContext<ToolCallRequested> context)
    {
        var call = context.Message;
        if (journal.Begin(call.SessionId, call.CallId) is { } earlier)
        {
            // Delivered again: answer with what the first delivery ran, never run it twice.
            LogRepeated(call.SessionId, call.CallId);
            if (await earlier.WaitAsync(context.CancellationToken) is { } result)
            {
                await context.Publish(result);
            }

            return;
        }

        ToolCallCompleted? completed = null;
        try
        {
            completed = await RunAsync(context);
            if (completed is not null)
            {
                journal.Complete(completed);
                await context.Publish(completed);
            }
        }
        finally
        {
            if (completed is null)
            {
                journal.Abandon(call.SessionId, call.CallId);
            }
        }
    }

    /// <summary>Runs the call; null when it was handed on (to another executor, or back to the pool) rather than run here.</summary>
    private async Task<ToolCallCompleted?> RunAsync(ConsumeContext<ToolCallRequested> context)
    {
        var call = context.Message;
        var settings = options.Value;
        var timeoutMs = Math.Min(call.TimeoutMs ?? settings.DefaultTimeoutMs, settings.MaxTimeoutMs);
        var maxOutput = Math.Min(call.MaxOutputLength ?? settings.DefaultMaxOutputLength, settings.MaxOutputLengthLimit);

        using var span = ExecutorTelemetry.StartToolCall(call, settings.InstanceId);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? containerId = null;
        var outputs = new List<CommandOutput>();
        IReadOnlyList<ToolCallOutputProduced> heldChunks = [];
        string? error = null;
        var errorCode = "sandbox_error";
        using var lease = sandbox.Use(call.SessionId);
        try
        {
            containerId = await sandbox.EnsureContainerAsync(call.SessionId, call.ContainerId, context.CancellationToken, network: call.NetworkPolicy);
            using var run = running.Start(call.CallId, context.CancellationToken);
            await using var chunks = new OutputChunks(call, maxOutput, StreamInterval, chunk => context.Publish(chunk, context.CancellationToken));
            foreach (var command in call.Commands)
            {
                if (run.Token.IsCancellationRequested)
                {
                    break;
                }

                using var commandSpan = ExecutorTelemetry.StartCommand(command, outputs.Count);
                var started = clock.Elapsed;
                var output = await sandbox.RunAsync(containerId, command, timeoutMs, maxOutput, chunks, context.CancellationToken, run.Token);
                ExecutorTelemetry.CommandEnded(commandSpan, output, clock.Elapsed - started);
                outputs.Add(output);
                await chunks.NextCommandAsync();
            }

            heldChunks = await chunks.CompleteAsync();
        }
        catch (PoolFullException) when (call.ContainerId is null)
        {
            if (await WaitForRoomAsync(context, settings))
            {
                return null;
            }

            error = $"No executor in the pool had room for a new session within {settings.CapacityWaitSeconds} s.";
            errorCode = "pool_full";
        }
        catch (ContainerHeldElsewhereException e)
        {
            if (await HandOn.TryAsync(context, identity, e.ExecutorId))
            {
                LogHandedOn(call.SessionId, call.CallId, e.ExecutorId);
                return null;
            }

            error = $"The session's container was made by executor '{e.ExecutorId}', which is gone for good; the container and its files are lost.";
            errorCode = "container_lost";
        }
        catch (EgressUnavailableException e)
        {
            error = e.Message;
            errorCode = "network_unavailable";
        }
        catch (ContainerGoneException e)
        {
            error = e.Message;
            errorCode = "container_expired";
        }
        catch (ContainerStoppedException e)
        {
            sandbox.Forget(call.SessionId);
            error = e.Message;
            errorCode = "container_lost";
        }
        catch (DockerContainerNotFoundException)
        {
            sandbox.Forget(call.SessionId);
            error = "The session's container no longer exists; its files are gone.";
            errorCode = "container_lost";
        }
        catch (DockerApiException e)
        {
            error = $"The sandbox could not run the commands: Docker answered {(int)e.StatusCode}: {e.ResponseBody?.Trim()}";
        }
        catch (HttpRequestException e)
        {
            error = $"The sandbox could not run the commands: the Docker engine is unreachable ({e.Message}).";
        }

        if (error is not null)
        {
            LogSandboxError(call.SessionId, call.CallId, error);
        }

        ExecutorTelemetry.ToolCallEnded(span, containerId, error is null ? null : errorCode, clock.Elapsed);

        return new ToolCallCompleted
        {
            SessionId = call.SessionId,
            ResponseId = call.ResponseId,
            CallId = call.CallId,
            ExecutorId = settings.InstanceId,
            ContainerId = containerId,
            Outputs = outputs,
            MaxOutputLength = maxOutput,
            Error = error,
            ErrorCode = error is null ? null : errorCode,
            HeldChunks = heldChunks,
        };
    }

    /// <summary>
    /// Puts a new session's call back at the end of the pool's queue, after a pause, so that an
    /// executor with room takes it, or this one once a container is reaped. True while the
    /// session may still wait; false once it has waited its limit.
    /// </summary>
    private async Task<bool> WaitForRoomAsync(ConsumeContext<ToolCallRequested> context, ExecutorOptions settings)
    {
        var now = DateTimeOffset.UtcNow;
        var since = DateTimeOffset.TryParse(context.Headers.Get<string>(WaitingSinceHeader), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var started) ? started : now;
        if (now - since > TimeSpan.FromSeconds(settings.CapacityWaitSeconds))
        {
            return false;
        }

        LogPoolFull(context.Message.SessionId, settings.InstanceId);
        await Task.Delay(RequeuePause, context.CancellationToken);
        await context.Send(Endpoints.Executors, context.Message, send => send.Headers.Set(WaitingSinceHeader, since.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: executor {ExecutorId} is full; the call goes back to the pool")]
    private partial void LogPoolFull(Guid sessionId, string executorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: delivered again; answered with the first delivery's result")]
    private partial void LogRepeated(Guid sessionId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: its container is executor {ExecutorId}'s; the call is passed on to it")]
    private partial void LogHandedOn(Guid sessionId, string callId, string executorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string error);
}
