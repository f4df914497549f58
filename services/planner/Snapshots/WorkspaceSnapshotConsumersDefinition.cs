using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Snapshots;

/// <summary>On <see cref="Endpoints.SnapshotsQueue"/>. Not retried: a snapshot half taken is the client's to ask for again.</summary>
internal sealed class WorkspaceSnapshotConsumersDefinition : ConsumerDefinition<WorkspaceSnapshotConsumers>
{
    public WorkspaceSnapshotConsumersDefinition()
    {
        EndpointName = Endpoints.SnapshotsQueue;
    }
}
