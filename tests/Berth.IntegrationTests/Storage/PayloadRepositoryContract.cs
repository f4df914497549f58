using System.Text;
using Berth.IntegrationTests.Fixtures;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every store of large payloads must do: give back what was put, forget what was deleted or expired, and know only its own addresses.</summary>
public abstract class PayloadRepositoryContract
{
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 20, 0, TimeSpan.Zero));

    protected abstract IPayloadRepository CreateRepository();

    [Fact]
    public async Task Should_give_back_what_was_put_until_it_is_deleted()
    {
        var repository = CreateRepository();
        var content = Encoding.UTF8.GetBytes(new string('p', 300_000));

        var address = await repository.Put(new MemoryStream(content), TimeSpan.FromMinutes(30), CancellationToken.None);

        Assert.Equal(content, await ReadAsync(repository, address));
        await repository.DeleteAsync(address, CancellationToken.None);
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.Get(address, CancellationToken.None));

        // Deleting twice is no error: the api and a timed-out reader may both try.
        await repository.DeleteAsync(address, CancellationToken.None);
    }

    [Fact]
    public async Task Should_delete_a_payload_only_once_its_time_to_live_has_passed()
    {
        var repository = CreateRepository();
        var address = await repository.Put(new MemoryStream("short-lived"u8.ToArray()), TimeSpan.FromMinutes(30), CancellationToken.None);

        Assert.Equal(0, await repository.DeleteExpiredAsync(Clock.GetUtcNow().AddMinutes(29), CancellationToken.None));
        Assert.Equal("short-lived"u8.ToArray(), await ReadAsync(repository, address));

        Assert.Equal(1, await repository.DeleteExpiredAsync(Clock.GetUtcNow().AddHours(2), CancellationToken.None));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.Get(address, CancellationToken.None));
    }

    [Fact]
    public async Task Should_keep_a_payload_put_without_a_time_to_live_until_it_is_deleted()
    {
        var repository = CreateRepository();
        var kept = await repository.Put(new MemoryStream("kept"u8.ToArray()), null, CancellationToken.None);
        var expiring = await repository.Put(new MemoryStream("expiring"u8.ToArray()), TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(1, await repository.DeleteExpiredAsync(Clock.GetUtcNow().AddYears(1), CancellationToken.None));

        Assert.Equal("kept"u8.ToArray(), await ReadAsync(repository, kept));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.Get(expiring, CancellationToken.None));
    }

    [Theory]
    [InlineData("urn:berth-payload:file:2026120211:../../../../etc/passwd")]
    [InlineData("urn:berth-payload:file:..:0123456789abcdef0123456789abcdef")]
    [InlineData("urn:berth-payload:file:2026120211:0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("urn:berth-payload:gridfs:{\"$gt\":\"\"}")]
    [InlineData("urn:berth-payload:gridfs:0123456789abcdef01234567/..")]
    [InlineData("urn:file:none:etc:passwd")]
    [InlineData("file:///etc/passwd")]
    public async Task Should_know_nothing_of_an_address_it_did_not_make_when_the_address_is_hostile(string hostile)
    {
        var repository = CreateRepository();
        var address = new Uri(hostile);

        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.Get(address, CancellationToken.None));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.DeleteAsync(address, CancellationToken.None));
    }

    private static async Task<byte[]> ReadAsync(IPayloadRepository repository, Uri address)
    {
        await using var stream = await repository.Get(address, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

// File modes are Unix's; Berth's services run on Linux.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileSystemPayloadRepositoryTests : PayloadRepositoryContract, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"berth-payload-tests-{Guid.NewGuid():N}");

    protected override IPayloadRepository CreateRepository() => new FileSystemPayloadRepository(Path.Combine(_directory, "store"), Clock);

    [Fact]
    public async Task Should_keep_payloads_owner_only_and_leave_no_partial_file_when_written()
    {
        var repository = CreateRepository();
        await repository.Put(new MemoryStream("secret"u8.ToArray()), TimeSpan.FromMinutes(30), CancellationToken.None);

        var file = Assert.Single(Directory.EnumerateFiles(Path.Combine(_directory, "store"), "*", SearchOption.AllDirectories));
        Assert.DoesNotContain(".part", file, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
    }

    [Fact]
    public void Should_refuse_to_start_when_others_may_read_the_directory()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_directory, "shared"));
        File.SetUnixFileMode(shared.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var refused = Assert.Throws<InvalidOperationException>(() => new FileSystemPayloadRepository(shared.FullName, Clock));
        Assert.Contains("chmod 700", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_not_touch_a_file_outside_its_directory_when_asked_to_delete_a_traversing_address()
    {
        var repository = CreateRepository();
        var outside = Path.Combine(_directory, "outside");
        await File.WriteAllTextAsync(outside, "keep", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => repository.DeleteAsync(new Uri("urn:berth-payload:file:2026120211:../outside"), CancellationToken.None));

        Assert.True(File.Exists(outside));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

public sealed class GridFsPayloadRepositoryTests(MongoFixture mongo) : PayloadRepositoryContract, IClassFixture<MongoFixture>
{
    protected override IPayloadRepository CreateRepository() => new GridFsPayloadRepository(mongo.NewDatabase(), Clock);
}
