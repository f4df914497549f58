namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// The pipeline with its two executors on a RabbitMQ node of its own, which its tests stop and
/// start while work is in flight; no other test's broker is touched.
/// </summary>
public sealed class BrokerRestartStack() : BerthStack(virtualHost: null, startExecutors: true, brokerNode: "berth-restarts");

[CollectionDefinition(Name)]
public sealed class BrokerRestartCollection : ICollectionFixture<BrokerRestartStack>
{
    public const string Name = "Berth broker restarts";
}
