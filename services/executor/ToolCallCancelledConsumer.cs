using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Executor;

/// <summary>
/// Stops a call whose response was cancelled, if it runs here; every executor hears every cancel.
/// The running command is killed by the call itself (<see cref="DockerSandbox.RunAsync"/>), and
/// no further command of it starts.
/// </summary>
internal sealed class ToolCallCancelledConsumer(RunningCalls running) : IConsumer<ToolCallCancelled>
{
    public Task Consume(ConsumeContext<ToolCallCancelled> context)
    {
        running.Cancel(context.Message.CallId);
        return Task.CompletedTask;
    }
}
