using Berth.Planner.Mongo;
using Docker.DotNet;
using Docker.DotNet.Models;
using MongoDB.Bson;
using MongoDB.Driver;
using Testcontainers.MongoDb;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// A real MongoDB, where one exists: the server named by <c>MONGODB_URL</c>, or a Testcontainers
/// one where a <c>mongo</c> image is present locally (nothing is pulled). MongoDB cannot be
/// installed on our own machines, so there the tests that need it skip, saying why.
/// Each test gets a database of its own, dropped at the end.
/// </summary>
public sealed class MongoFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private MongoDbContainer? _container;
    private MongoClient? _client;

    public static string? ConfiguredUrl => Environment.GetEnvironmentVariable("MONGODB_URL") is { Length: > 0 } url ? url : null;

    public string? UnavailableReason { get; private set; }

    public string? Url { get; private set; }

    public static string WithDatabase(string url, string database) => new MongoUrlBuilder(url) { DatabaseName = database }.ToString();

    public async ValueTask InitializeAsync()
    {
        MongoSetup.ConfigureSerialization();
        if (ConfiguredUrl is { } configured)
        {
            Url = configured;
        }
        else if (await LocalMongoImageAsync() is { } image)
        {
            _container = new MongoDbBuilder(image).Build();
            await _container.StartAsync();
            Url = _container.GetConnectionString();
        }
        else
        {
            UnavailableReason = "No MongoDB: MONGODB_URL is not set and there is no local 'mongo' image for Testcontainers "
                + "(MongoDB cannot be installed on this machine; set MONGODB_URL where a server is reachable).";
            return;
        }

        _client = new MongoClient(Url);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: timeout.Token);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or MongoException)
        {
            UnavailableReason = $"No MongoDB: {Url} does not answer a ping ({e.Message}).";
        }
    }

    /// <summary>Skips the calling test, with the reason, when there is no MongoDB here.</summary>
    public void SkipIfUnavailable() => Assert.SkipWhen(UnavailableReason is not null, UnavailableReason ?? "");

    public IMongoDatabase NewDatabase()
    {
        SkipIfUnavailable();
        var name = $"berth_test_{Guid.NewGuid():N}";
        lock (_databases)
        {
            _databases.Add(name);
        }

        return _client!.GetDatabase(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null && UnavailableReason is null)
        {
            foreach (var name in _databases)
            {
                await _client.DropDatabaseAsync(name);
            }
        }

        _client?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static async Task<string?> LocalMongoImageAsync()
    {
        try
        {
            using var docker = DockerFixture.CreateClient();
            var images = await docker.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { ["mongo"] = true } },
            });
            return images.SelectMany(i => i.RepoTags ?? []).FirstOrDefault(tag => tag.StartsWith("mongo:", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }
}
