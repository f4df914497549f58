using Berth.Contracts;
using Berth.Executor.Sandbox;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>
/// Runs a shell call's commands one after another in the session's container and reports
/// them. Only a sandbox that cannot run at all (no image, no engine, container gone) is an
/// error; whatever the commands themselves do is output.
/// </summary>
public sealed partial class ToolCallConsumer(DockerSandbox sandbox, RunningCalls running, IOptions<ExecutorOptions> options, ILogger<ToolCallConsumer> logger)
    : IConsumer<ToolCallRequested>
{
    private const string WaitingSinceHeader = "Berth-Waiting-Since";
    private static readonly TimeSpan RequeuePause = TimeSpan.FromSeconds(1);

    // Often enough to feel live; each chunk is a message through the session's saga.
    private static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(250);

    public async Task Consume(ConsumeContext<ToolCallRequested> context)
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
                return;
            }

            error = $"No executor in the pool had room for a new session within {settings.CapacityWaitSeconds} s.";
            errorCode = "pool_full";
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

        await context.Publish(new ToolCallCompleted
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
        });
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string error);
}
