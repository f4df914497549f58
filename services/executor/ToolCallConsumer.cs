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
public sealed partial class ToolCallConsumer(DockerSandbox sandbox, IOptions<ExecutorOptions> options, ILogger<ToolCallConsumer> logger)
    : IConsumer<ToolCallRequested>
{
    public async Task Consume(ConsumeContext<ToolCallRequested> context)
    {
        var call = context.Message;
        var settings = options.Value;
        var timeoutMs = Math.Min(call.TimeoutMs ?? settings.DefaultTimeoutMs, settings.MaxTimeoutMs);
        var maxOutput = Math.Min(call.MaxOutputLength ?? settings.DefaultMaxOutputLength, settings.MaxOutputLengthLimit);

        string? containerId = null;
        var outputs = new List<CommandOutput>();
        string? error = null;
        var errorCode = "sandbox_error";
        using var lease = sandbox.Use(call.SessionId);
        try
        {
            containerId = await sandbox.EnsureContainerAsync(call.SessionId, call.ContainerId, context.CancellationToken);
            foreach (var command in call.Commands)
            {
                outputs.Add(await sandbox.RunAsync(containerId, command, timeoutMs, maxOutput, context.CancellationToken));
            }
        }
        catch (ContainerGoneException e)
        {
            error = e.Message;
            errorCode = "container_expired";
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
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}, call {CallId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string error);
}
