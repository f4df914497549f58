using Berth.Contracts;
using Berth.Planner.Snapshots;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Planner;

/// <summary>Snapshots past their retention go, record and archive, on a clock of the test's own.</summary>
public sealed class ExpiredSnapshotPurgeTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("berth-snapshot-purge-").FullName;
    private readonly InMemoryWorkspaceSnapshotStore _store = new();
    private readonly PayloadStore _payloads;

    public ExpiredSnapshotPurgeTests() =>
        _payloads = new PayloadStore(new FileSystemPayloadRepository(_directory, _clock), Options.Create(new PayloadOptions()), NullLogger<PayloadStore>.Instance);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<WorkspaceSnapshotInfo> KeepAsync(string id, TimeSpan retention)
    {
        using var archive = new MemoryStream("archive"u8.ToArray());
        using var skills = new MemoryStream("skills"u8.ToArray());
        var snapshot = new WorkspaceSnapshotInfo
        {
            Id = id,
            ContainerId = "cntr_a",
            Bytes = 7,
            CreatedAt = _clock.GetUtcNow(),
            ExpiresAt = _clock.GetUtcNow() + retention,
            Tenant = "acme",
            Address = await _payloads.KeepAsync(archive, CancellationToken.None),
            Skills = await _payloads.KeepAsync(skills, CancellationToken.None),
        };
        await _store.AddAsync(snapshot, CancellationToken.None);
        return snapshot;
    }

    [Fact]
    public async Task Should_delete_a_snapshot_and_its_archives_past_its_retention_and_keep_the_others()
    {
        var expiring = await KeepAsync("snap_old", TimeSpan.FromDays(1));
        var kept = await KeepAsync("snap_new", TimeSpan.FromDays(7));
        var purge = new ExpiredSnapshotPurge(_store, _payloads, _clock, NullLogger<ExpiredSnapshotPurge>.Instance);

        var early = await purge.PurgeAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1));
        var due = await purge.PurgeAsync(CancellationToken.None);

        Assert.Equal((0, 1), (early, due));
        Assert.Null(await _store.FindAsync(expiring.Id, CancellationToken.None));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => _payloads.OpenAsync(expiring.Address, CancellationToken.None));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => _payloads.OpenAsync(expiring.Skills!, CancellationToken.None));
        Assert.NotNull(await _store.FindAsync(kept.Id, CancellationToken.None));
        await using var stillThere = await _payloads.OpenAsync(kept.Address, CancellationToken.None);
        Assert.Equal(7, await stillThere.ReadAsync(new byte[16], CancellationToken.None));
        await using var skillsThere = await _payloads.OpenAsync(kept.Skills!, CancellationToken.None);
    }
}
