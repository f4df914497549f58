using MassTransit;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// MassTransit's claim-check repository, plus the two things its own repositories lack: deleting a
/// payload once read, and removing the ones whose time to live has passed.
/// </summary>
public interface IPayloadRepository : IMessageDataRepository
{
    /// <summary>Deletes the payload; one already gone is no error.</summary>
    Task DeleteAsync(Uri address, CancellationToken cancellationToken);

    /// <summary>Deletes every payload that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
