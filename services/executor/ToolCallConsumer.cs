using Berth.Contracts;
using Berth.Executor.Calls;
using Berth.Executor.Identity;
using Berth.Executor.Peers;
using Berth.Executor.Sandbox;
using Berth.ServiceDefaults;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>
/// Runs a shell call's commands one after another in the session's container and reports
/// them. Only a sandbox that cannot run at all (no image, no engine, container gone) is an
/// error; whatever the commands themselves do is output. A call delivered more than once runs
/// once: a repeat while this process lives is answered from <see cref="CallJournal"/>, and one
/// after a restart from <see cref="CallRecords"/> (its result, or <c>interrupted</c> if it was
/// running when the executor died). One whose container another executor holds is passed on to
/// that executor: on this engine its container's name says which; on another, only a first call
/// delivered again can be another's, and <see cref="SessionHolders"/> asks.
/// </summary>
internal sealed partial class ToolCallConsumer(
    DockerSandbox sandbox,
    RunningCalls running,
    CallJournal journal,
    CallRecords records,
    IOptions<ExecutorOptions> options,
    ILogger<ToolCallConsumer> logger,
    ExecutorIdentity? identity = null,
    CommandLifetime? lifetime = null,
    SessionHolders? holders = null,
    LetGoResults? letGo = null,
    BackgroundCpu? background = null,
    NewContainerSetup? setup = null,
    TimeProvider? time = null) : IConsumer<ToolCallRequested>
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private const string WaitingSinceHeader = "Berth-Waiting-Since";
    private static readonly TimeSpan RequeuePause = TimeSpan.FromSeconds(1);

    // Often enough to feel live; each chunk is a message through the session's saga.
    private static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(250);

    public async Task Consume(ConsumeContext<ToolCallRequested> context)
    {
        var call = context.Message;
        while (journal.Begin(call.SessionId, call.CallId) is { } earlier)
        {
            // Delivered again: answer with what the first delivery ran, never run it twice.
            if (await earlier.WaitAsync(context.CancellationToken) is { } result)
            {
                LogRepeated(call.SessionId, call.CallId);
                await context.Publish(result);
                return;
            }

            // The earlier delivery gave the call back without a result (to the pool while this
            // executor is full, or on to the container's holder), and this copy is the one it
            // sent, arrived before it let go: the call is this copy's to take.
        }

        // The call runs on whether or not this delivery lasts. A delivery whose channel goes
        // (a cut connection, a broker restart) is let go at once, without a fault (a fault would
        // move the call to the error queue and fail its response): MassTransit cannot reconnect
        // while a consumer holds it. The result then goes out on its own once the call is done,
        // and the copy RabbitMQ may deliver again is answered from the journal.
        // The executor watches its connection itself too (through its identity's): MassTransit
        // does not always cancel a held delivery when the connection goes.
        var run = RunOnceAsync(context);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, identity?.ConnectionCut ?? CancellationToken.None);
        try
        {
            if (await run.WaitAsync(held.Token) is { } completed)
            {
                await context.Publish(completed);
            }
        }
        catch (Exception e) when (letGo is not null && !run.IsFaulted && !run.IsCanceled && (held.IsCancellationRequested || IsLostConnection(e)))
        {
            LogLetGo(call.SessionId, call.CallId);
            letGo.PublishWhenDone(run);
        }
    }

    private static bool IsLostConnection(Exception e) =>
        e is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or OperationCanceledException;

    /// <summary>Runs the call, or recalls it, and records what came of it; null when it was handed on instead.</summary>
    private async Task<ToolCallCompleted?> RunOnceAsync(ConsumeContext<ToolCallRequested> context)
    {
        var call = context.Message;
        ToolCallCompleted? completed = null;
        try
        {
            completed = Recalled(call) ?? await RunAsync(context);
            if (completed is not null)
            {
                records.Finish(completed);
                journal.Complete(completed);
            }

            return completed;
        }
        finally
        {
            if (completed is null)
            {
                journal.Abandon(call.SessionId, call.CallId);
            }
        }
    }

    /// <summary>
    /// What an earlier process of this executor did with the call: its result, or, for a call it
    /// was running when it died, an <c>interrupted</c> error rather than a second run. Null when it
    /// never started it.
    /// </summary>
    private ToolCallCompleted? Recalled(ToolCallRequested call)
    {
        var recorded = records.Recall(call.SessionId, call.CallId);
        if (recorded.Result is { } result)
        {
            LogRecalled(call.SessionId, call.CallId);
            return result;
        }

        if (!recorded.Started)
        {
            return null;
        }

        const string interrupted = "The command was running when its executor stopped; it was not run again, as it may have had effects. Check the container's state before retrying.";
        LogInterrupted(call.SessionId, call.CallId);
        return new ToolCallCompleted
        {
            SessionId = call.SessionId,
            ResponseId = call.ResponseId,
            CallId = call.CallId,
            ExecutorId = options.Value.InstanceId,
            ContainerId = call.ContainerId,
            Outputs = [.. call.Commands.Select(_ => new CommandOutput { Stderr = interrupted, ExitCode = 255 })],
            MaxOutputLength = Math.Min(call.MaxOutputLength ?? options.Value.DefaultMaxOutputLength, options.Value.MaxOutputLengthLimit),
            Error = interrupted,
            ErrorCode = ErrorCodes.Interrupted,
        };
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
        var errorCode = ErrorCodes.SandboxError;
        using var lease = sandbox.Use(call.SessionId);

        // A broker restart does not stop the commands; their result goes out with this delivery
        // if it can, else with the redelivery, which finds it in the journal.
        var stopping = lifetime?.Token ?? CancellationToken.None;
        try
        {
            await FindHolderElsewhereAsync(context, stopping);
            containerId = await sandbox.EnsureContainerAsync(call.SessionId, call.ContainerId, stopping, memoryMb: call.MemoryMb, network: call.NetworkPolicy, image: call.Image,
                idle: call.IdleMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
            if (setup is not null)
            {
                await setup.ApplyAsync(call.SessionId, containerId, call.Files, call.Skills, call.RestoreFrom, call.RestoreSkillsFrom, stopping);
            }

            records.MarkStarted(call.SessionId, call.CallId);
            using var run = running.Start(call.CallId, stopping);
            await using var chunks = new OutputChunks(call, maxOutput, StreamInterval, chunk => PublishChunkAsync(context, chunk, stopping));
            foreach (var command in call.Commands)
            {
                if (run.Token.IsCancellationRequested)
                {
                    break;
                }

                using var commandSpan = ExecutorTelemetry.StartCommand(command, outputs.Count);
                var started = clock.Elapsed;
                var output = await sandbox.RunAsync(containerId, command, timeoutMs, maxOutput, chunks, stopping, run.Token);
                ExecutorTelemetry.CommandEnded(commandSpan, output, clock.Elapsed - started);
                outputs.Add(output);
                await chunks.NextCommandAsync();
            }

            heldChunks = CommandOutputBudget.Prefix(await chunks.CompleteAsync(), settings.MaxCallOutputChars / 4);
            if (outputs.Count > 0 && background?.TakeNotice(call.SessionId) is { } notice)
            {
                outputs[0] = outputs[0] with { Stderr = notice + outputs[0].Stderr };
            }
        }
        catch (PoolFullException) when (call.ContainerId is null)
        {
            if (await WaitForRoomAsync(context, settings))
            {
                return null;
            }

            error = $"No executor in the pool had room for a new session within {settings.CapacityWaitSeconds} s.";
            errorCode = ErrorCodes.PoolFull;
        }
        catch (ContainerHeldElsewhereException e)
        {
            if (await HandOn.TryAsync(context, identity, e.ExecutorId))
            {
                LogHandedOn(call.SessionId, call.CallId, e.ExecutorId);
                return null;
            }

            error = $"The session's container was made by executor '{e.ExecutorId}', which is gone for good; the container and its files are lost.";
            errorCode = ErrorCodes.ContainerLost;
        }
        catch (HolderUnknownException e)
        {
            error = e.Message;
            errorCode = ErrorCodes.Interrupted;
        }
        catch (CallRecordException e)
        {
            error = e.Message;
        }
        catch (FileOperationException e)
        {
            // A file the container was to be made with could not be copied in. One made to
            // restore a workspace goes, so that the next call restores it rather than run without it.
            error = e.Message;
            errorCode = e.Code;
            if (call is { ContainerId: null, RestoreFrom: not null } && containerId is not null && await sandbox.RemoveSessionAsync(call.SessionId, CancellationToken.None))
            {
                containerId = null;
            }
        }
        catch (EgressUnavailableException e)
        {
            error = e.Message;
            errorCode = ErrorCodes.NetworkUnavailable;
        }
        catch (ContainerGoneException e)
        {
            error = e.Message;
            errorCode = ErrorCodes.ContainerExpired;
        }
        catch (ContainerStoppedException e)
        {
            sandbox.Forget(call.SessionId);
            error = e.Message;
            errorCode = ErrorCodes.ContainerLost;
        }
        catch (DockerContainerNotFoundException)
        {
            sandbox.Forget(call.SessionId);
            error = "The session's container no longer exists; its files are gone.";
            errorCode = ErrorCodes.ContainerLost;
        }
        catch (DockerApiException e)
        {
            // Docker's answer names host paths, images and other containers: the log has it.
            LogDockerRefused(call.SessionId, call.CallId, (int)e.StatusCode, e.ResponseBody?.Trim());
            error = $"The sandbox could not run the commands: {SandboxErrors.Describe(e)}";
        }
        catch (HttpRequestException e)
        {
            LogDockerUnreachable(call.SessionId, call.CallId, e.Message);
            error = $"The sandbox could not run the commands: {SandboxErrors.Describe(e)}";
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Said here, while the delivery still holds the call: given back, it could be
            // acknowledged as the bus stops and never reach the next process.
            error = $"The executor was stopped before the call finished and gave up waiting for it after {CommandLifetime.Drain.TotalSeconds:0} s; its commands may have had effects. Check the container's state before retrying.";
            errorCode = ErrorCodes.Interrupted;
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
            IdleMinutes = call.ContainerId is null && containerId is not null ? call.IdleMinutes ?? settings.IdleMinutes : null,
            Outputs = CommandOutputBudget.Cap(outputs, settings.MaxCallOutputChars),
            MaxOutputLength = maxOutput,
            Error = error,
            ErrorCode = error is null ? null : errorCode,
            HeldChunks = heldChunks,
        };
    }

    /// <summary>
    /// A session's first call that RabbitMQ delivers again may have been taken, even run, by an
    /// executor on another Docker engine, where this one cannot see the container. Throws
    /// <see cref="ContainerHeldElsewhereException"/> when one says it holds the session, and
    /// <see cref="HolderUnknownException"/> when one that may hold it stays silent.
    /// </summary>
    private async Task FindHolderElsewhereAsync(ConsumeContext<ToolCallRequested> context, CancellationToken cancellationToken)
    {
        var call = context.Message;
        if (holders is null || call.ContainerId is not null || !context.ReceiveContext.Redelivered || sandbox.Holds(call.SessionId))
        {
            return;
        }

        var search = await holders.FindAsync(call.SessionId, call.CallId, cancellationToken);
        if (search.HolderId is { } holder)
        {
            throw new ContainerHeldElsewhereException(call.SessionId, holder);
        }

        if (search.Silent.Count > 0)
        {
            throw new HolderUnknownException(string.Join(", ", search.Silent), options.Value.HolderWaitSeconds);
        }
    }

    /// <summary>
    /// Streams one chunk. A chunk that cannot go out (the broker is away) is dropped, not
    /// fatal: the stream only thins, and the completed output carries all of it.
    /// </summary>
    private async Task PublishChunkAsync(ConsumeContext context, ToolCallOutputProduced chunk, CancellationToken stopping)
    {
        try
        {
            await context.Publish(chunk, stopping);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            LogChunkDropped(chunk.SessionId, chunk.CallId, e.Message);
        }
    }

    /// <summary>
    /// Puts a new session's call back at the end of the pool's queue, after a pause, so that an
    /// executor with room takes it, or this one once a container is reaped. True while the
    /// session may still wait; false once it has waited its limit.
    /// </summary>
    private async Task<bool> WaitForRoomAsync(ConsumeContext<ToolCallRequested> context, ExecutorOptions settings)
    {
        var now = _time.GetUtcNow();
        var since = DateTimeOffset.TryParse(context.Headers.Get<string>(WaitingSinceHeader), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var started) ? started : now;
        if (now - since > TimeSpan.FromSeconds(settings.CapacityWaitSeconds))
        {
            return false;
        }

        LogPoolFull(context.Message.SessionId, settings.InstanceId);
        await Task.Delay(RequeuePause, context.CancellationToken);
        await context.Send(Endpoints.Pool(context.Message.Image), context.Message, send => send.Headers.Set(WaitingSinceHeader, since.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: its delivery lost the broker connection; the call runs on and its result goes out when done")]
    private partial void LogLetGo(Guid sessionId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: an output chunk could not be streamed ({Reason}); the completed output will carry it")]
    private partial void LogChunkDropped(Guid sessionId, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: executor {ExecutorId} is full; the call goes back to the pool")]
    private partial void LogPoolFull(Guid sessionId, string executorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: delivered again; answered with the first delivery's result")]
    private partial void LogRepeated(Guid sessionId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: delivered again after a restart; answered with the recorded result")]
    private partial void LogRecalled(Guid sessionId, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: it was running when this executor stopped; ended interrupted, not run again")]
    private partial void LogInterrupted(Guid sessionId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: its container is executor {ExecutorId}'s; the call is passed on to it")]
    private partial void LogHandedOn(Guid sessionId, string callId, string executorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: Docker answered {Status}: {Body}")]
    private partial void LogDockerRefused(Guid sessionId, string callId, int status, string? body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: the Docker engine is unreachable: {Reason}")]
    private partial void LogDockerUnreachable(Guid sessionId, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string error);
}
