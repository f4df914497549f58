using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;

namespace Berth.Planner.Containers;

/// <summary>
/// A session's own container (a shell tool's <c>container_auto</c>) gets a record like one made
/// by <c>POST /v1/containers</c>, so its tenant can list it, delete it, refer to it, and have it
/// counted against its container limit. Its id follows from the session's, so writing the record
/// again (a redelivered step) changes nothing.
/// </summary>
internal sealed class SessionContainers(IContainerStore containers, IResponseStore responses)
{
    /// <summary>The name its tenant sees.</summary>
    public const string Name = "auto";

    /// <summary>Shaped as the other containers' ids: <c>cntr_</c> and 32 hex digits.</summary>
    public static string IdOf(Guid sessionId) => $"cntr_{sessionId:N}";

    /// <summary>
    /// The session's first call made its container: its own, or a container of <c>POST /v1/containers</c>
    /// made again from the workspace it expired with, which runs again under its id.
    /// </summary>
    public async Task RecordAsync(SessionState session, ToolCallCompleted made, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await containers.FindBySessionAsync(session.CorrelationId, cancellationToken) is { Auto: false } named)
        {
            await containers.AddAsync(named with
            {
                Status = ContainerStatuses.Running,
                ExecutorId = made.ExecutorId,
                DockerContainerId = made.ContainerId,
                RestoredFrom = session.RestoredFrom ?? named.KeptAs,
                KeptAs = null,
                LastActiveAt = at > named.LastActiveAt ? at : named.LastActiveAt,
            }, cancellationToken);
            return;
        }

        var tenant = (await responses.FindOwnerAsync(made.ResponseId, cancellationToken))?.Tenant;
        await containers.AddAsync(new ContainerSnapshot
        {
            Id = IdOf(session.CorrelationId),
            Name = Name,
            Status = ContainerStatuses.Running,
            SessionId = session.CorrelationId,
            ExecutorId = made.ExecutorId,
            DockerContainerId = made.ContainerId,
            IdleMinutes = made.IdleMinutes ?? 0,
            CreatedAt = at,
            LastActiveAt = at,
            Tenant = tenant,
            NetworkPolicy = session.NetworkPolicy,
            MemoryMb = session.MemoryMb,
            Image = session.Image,
            RestoredFrom = session.RestoredFrom,
            Auto = true,
        }, cancellationToken);
    }

    /// <summary>A new response of the session: its container (if it has one of its own) was active now.</summary>
    public Task TouchAsync(Guid sessionId, DateTimeOffset at, CancellationToken cancellationToken) =>
        containers.TouchAsync(IdOf(sessionId), at, cancellationToken);
}
