using Berth.Contracts;
using MassTransit;

namespace Berth.UnitTests.Planner;

public sealed class CreateContainerConsumerTests
{
    [Fact]
    public async Task Should_refuse_at_once_with_no_executor_when_no_executor_has_been_heard_from()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Clock.Advance(TimeSpan.FromSeconds(31));
        var client = session.Harness.GetRequestClient<CreateContainer>();

        // Nothing consumes the pool's queue here: a request passed on would wait its full two minutes.
        var answer = await client.GetResponse<ContainerSnapshot, TaskRejected>(
            new CreateContainer { ContainerId = "cntr_test", Name = "test", CreatedAt = DateTimeOffset.UtcNow, Tenant = "acme" }, TestContext.Current.CancellationToken,
            RequestTimeout.After(s: 10));

        Assert.True(answer.Is(out Response<TaskRejected>? rejected));
        Assert.Equal(ErrorCodes.NoExecutor, rejected.Message.Code);
        Assert.Empty(session.SentSoFar<ProvisionContainer>());
    }
}
