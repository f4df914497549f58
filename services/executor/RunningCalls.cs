using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.Executor.Sandbox;
using MassTransit;

namespace Berth.Executor;

/// <summary>The shell calls this executor is running, so a cancel can find and stop one.</summary>
public sealed class RunningCalls
{
    private readonly ConcurrentDictionary<string, Run> _calls = new(StringComparer.Ordinal);

    public Run Start(string callId, string containerId, CancellationToken cancellationToken)
    {
        var run = new Run(this, callId, containerId, cancellationToken);
        _calls[callId] = run;
        return run;
    }

    public Run? Find(string callId) => _calls.GetValueOrDefault(callId);

    public sealed class Run(RunningCalls owner, string callId, string containerId, CancellationToken cancellationToken) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        public string ContainerId { get; } = containerId;

        /// <summary>Cancelled when the call is: no further command of it starts.</summary>
        public CancellationToken Token => _cancel.Token;

        public void Cancel() => _cancel.Cancel();

        public void Dispose()
        {
            owner._calls.TryRemove(new KeyValuePair<string, Run>(callId, this));
            _cancel.Dispose();
        }
    }
}

/// <summary>Stops a call whose response was cancelled, if it runs here; every executor hears every cancel.</summary>
public sealed class ToolCallCancelledConsumer(RunningCalls running, DockerSandbox sandbox) : IConsumer<ToolCallCancelled>
{
    public async Task Consume(ConsumeContext<ToolCallCancelled> context)
    {
        if (running.Find(context.Message.CallId) is { } run)
        {
            run.Cancel();
            await sandbox.KillRunningAsync(run.ContainerId, context.CancellationToken);
        }
    }
}
