namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// The pipeline on a RabbitMQ virtual host of its own, with no executors until a test starts
/// them: the fault suite kills, clashes and restarts executors there without touching any other
/// test's queues, executor ids or containers (an executor only cleans up after its own deployment).
/// Its planner has few model calls in flight at once, so a test can fill them all with slow model turns.
/// </summary>
public sealed class FaultStack() : BerthStack(virtualHost: "berth-faults", startExecutors: false)
{
    public const int ModelCallsInFlight = 4;

    protected override (string Key, string Value)[] PlannerSettings =>
        [("Planner__MaxModelCallsInFlight", ModelCallsInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultStack>
{
    public const string Name = "Berth faults";
}
