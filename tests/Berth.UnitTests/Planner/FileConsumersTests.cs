using Berth.Contracts;
using Berth.Planner.Files;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Planner;

/// <summary>
/// The planner's side of <c>/v1/files</c>, through the harness on a fake clock, with the bytes in
/// a real payload directory: who sees a file, until when, and that its bytes go with it.
/// </summary>
public sealed class FileConsumersTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("berth-files-").FullName;
    private readonly InMemoryFileStore _store = new();
    private readonly PayloadStore _payloads;
    private readonly ServiceProvider _provider;

    public FileConsumersTests()
    {
        _payloads = new PayloadStore(new FileSystemPayloadRepository(_directory, _clock), Options.Create(new PayloadOptions()), NullLogger<PayloadStore>.Instance);
        _provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<IFileStore>(_store)
            .AddSingleton(_payloads)
            .AddMassTransitTestHarness(bus => bus.AddConsumer<FileConsumers>())
            .BuildServiceProvider(validateScopes: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<FileSnapshot> UploadAsync(string tenant, TimeSpan? expiresAfter = null)
    {
        var harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        using var bytes = new MemoryStream("hello"u8.ToArray());
        var file = new FileSnapshot
        {
            Id = $"file-{Guid.NewGuid():N}",
            Filename = "hello.txt",
            Purpose = FilePurposes.UserData,
            Bytes = 5,
            CreatedAt = _clock.GetUtcNow(),
            ExpiresAt = _clock.GetUtcNow() + expiresAfter,
            Tenant = tenant,
            ContentAddress = await _payloads.KeepAsync(bytes, CancellationToken.None),
        };
        return (await harness.GetRequestClient<CreateFile>().GetResponse<FileSnapshot>(new CreateFile(file), TestContext.Current.CancellationToken)).Message;
    }

    private async Task<bool> FoundAsync(string fileId, string tenant) =>
        (await _provider.GetRequiredService<ITestHarness>().GetRequestClient<GetFile>()
            .GetResponse<FileSnapshot, FileNotFound>(new GetFile(fileId) { Tenant = tenant }, TestContext.Current.CancellationToken)).Is(out Response<FileSnapshot>? _);

    private async Task<IReadOnlyList<string>> ListAsync(string tenant) =>
        [.. (await _provider.GetRequiredService<ITestHarness>().GetRequestClient<ListFiles>()
            .GetResponse<FileList>(new ListFiles { Tenant = tenant }, TestContext.Current.CancellationToken)).Message.Files.Select(f => f.Id)];

    [Fact]
    public async Task Should_show_a_file_to_its_tenant_only_and_to_no_one_past_its_expiry()
    {
        var file = await UploadAsync("acme", expiresAfter: TimeSpan.FromHours(1));

        Assert.Equal((true, false), (await FoundAsync(file.Id, "acme"), await FoundAsync(file.Id, "globex")));
        Assert.Equal([file.Id], await ListAsync("acme"));
        Assert.Empty(await ListAsync("globex"));

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.False(await FoundAsync(file.Id, "acme"));
        Assert.Empty(await ListAsync("acme"));
    }

    [Fact]
    public async Task Should_delete_the_bytes_with_the_record_and_only_for_the_files_tenant()
    {
        var file = await UploadAsync("acme");
        var delete = _provider.GetRequiredService<ITestHarness>().GetRequestClient<DeleteFile>();

        var byOther = await delete.GetResponse<FileSnapshot, FileNotFound>(new DeleteFile(file.Id) { Tenant = "globex" }, TestContext.Current.CancellationToken);
        var byOwner = await delete.GetResponse<FileSnapshot, FileNotFound>(new DeleteFile(file.Id) { Tenant = "acme" }, TestContext.Current.CancellationToken);
        var again = await delete.GetResponse<FileSnapshot, FileNotFound>(new DeleteFile(file.Id) { Tenant = "acme" }, TestContext.Current.CancellationToken);

        Assert.Equal((false, true, false), (byOther.Is(out Response<FileSnapshot>? _), byOwner.Is(out Response<FileSnapshot>? _), again.Is(out Response<FileSnapshot>? _)));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => _payloads.OpenAsync(file.ContentAddress, CancellationToken.None));
    }

    [Fact]
    public async Task Should_purge_an_expired_file_with_its_bytes_and_keep_the_others()
    {
        var expiring = await UploadAsync("acme", expiresAfter: TimeSpan.FromHours(1));
        var kept = await UploadAsync("acme");
        var purge = new ExpiredFilePurge(_store, _payloads, _clock, NullLogger<ExpiredFilePurge>.Instance);

        var early = await purge.PurgeAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(1));
        var due = await purge.PurgeAsync(CancellationToken.None);

        Assert.Equal((0, 1), (early, due));
        Assert.Null(await _store.FindAsync(expiring.Id, CancellationToken.None));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => _payloads.OpenAsync(expiring.ContentAddress, CancellationToken.None));
        await using var stillThere = await _payloads.OpenAsync(kept.ContentAddress, CancellationToken.None);
        Assert.Equal(5, await stillThere.ReadAsync(new byte[16], CancellationToken.None));
    }
}
