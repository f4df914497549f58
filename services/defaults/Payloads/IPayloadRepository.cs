using MassTransit;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// MassTransit's claim-check repository, plus the two things its own repositories lack: deleting a
/// payload once read, and removing the ones whose time to live has passed. As in MassTransit, a
/// payload put without a time to live is kept until deleted (uploaded files, skill bundles and
/// snapshots of later issues); the claim checks of messages always have one.
/// </summary>
public interface IPayloadRepository : IMessageDataRepository
{
    /// <summary>Deletes the payload; one already gone is no error.</summary>
    Task DeleteAsync(Uri address, CancellationToken cancellationToken);

    /// <summary>Deletes every payload that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
