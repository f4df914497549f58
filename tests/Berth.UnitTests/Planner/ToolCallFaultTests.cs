using Berth.Contracts;
using MassTransit;
using MassTransit.Events;

namespace Berth.UnitTests.Planner;

/// <summary>
/// A tool call whose consumer faulted: the executor's failure ends the response; a delivery that
/// only lost its broker connection does not, as RabbitMQ delivers the call again.
/// </summary>
public sealed class ToolCallFaultTests
{
    [Fact]
    public async Task Should_fail_the_response_with_sandbox_error_when_the_executor_faults_on_the_call()
    {
        await using var session = await SessionHarness.StartAsync();
        var (_, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-a", "echo a"));
        var call = await session.NextToolCallAsync("call-a");

        await session.Harness.Bus.Publish<Fault<ToolCallRequested>>(Fault(call.Context.Message, new InvalidOperationException("the engine broke")));

        var finished = await session.FinishedAsync(responseId);
        Assert.Equal("failed", finished.Status);
        Assert.Equal(ErrorCodes.SandboxError, (await session.ResponseAsync(responseId)).Error?.Code);
    }

    [Fact]
    public async Task Should_keep_the_call_running_when_its_delivery_only_lost_the_broker_connection()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-a", "echo a"));
        var call = await session.NextToolCallAsync("call-a");

        await session.Harness.Bus.Publish<Fault<ToolCallRequested>>(Fault(call.Context.Message, new RabbitMQ.Client.Exceptions.AlreadyClosedException(
            new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Peer, 320, "CONNECTION_FORCED"))));
        await session.Harness.Bus.Publish<Fault<ToolCallRequested>>(Fault(call.Context.Message, new OperationCanceledException()));
        Assert.True(await session.Harness.Consumed.Any<Fault<ToolCallRequested>>(m => m.Context.Message.Exceptions[0].ExceptionType.EndsWith(nameof(OperationCanceledException), StringComparison.Ordinal)));

        // The redelivered call's result completes the response.
        await session.ExecutorReportsAsync(sessionId, responseId, "call-a");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");
        var finished = await session.FinishedAsync(responseId);
        Assert.Equal("completed", finished.Status);
    }

    private static FaultEvent<ToolCallRequested> Fault(ToolCallRequested call, Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception thrown)
        {
            return new FaultEvent<ToolCallRequested>(call, NewId.NextGuid(), MassTransit.Metadata.HostMetadataCache.Host, thrown, [MessageUrn.ForTypeString<ToolCallRequested>()]);
        }
    }
}
