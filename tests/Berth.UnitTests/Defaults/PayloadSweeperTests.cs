using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Defaults;

/// <summary>The sweep that removes payloads nobody read, on the service's clock.</summary>
public sealed class PayloadSweeperTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"berth-sweeper-tests-{Guid.NewGuid():N}");

    [Fact]
    public async Task Should_remove_an_unread_payload_only_once_its_time_to_live_has_passed_when_it_sweeps()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 20, 0, TimeSpan.Zero));
        var repository = new FileSystemPayloadRepository(_directory, clock);
        var sweeper = new PayloadSweeper(repository, clock, NullLogger<PayloadSweeper>.Instance);
        var address = await repository.Put(new MemoryStream("unread"u8.ToArray()), TimeSpan.FromMinutes(30), CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(25));
        await sweeper.SweepAsync(CancellationToken.None);
        (await repository.Get(address, CancellationToken.None)).Dispose();

        // Swept by the hour: gone at the first sweep after the hour in which it expired.
        clock.Advance(TimeSpan.FromMinutes(75));
        await sweeper.SweepAsync(CancellationToken.None);
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.Get(address, CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
