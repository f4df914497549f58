using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Testcontainers.RabbitMq;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// The one RabbitMQ every test uses: a Testcontainers broker where a RabbitMQ image is present
/// locally (nothing is pulled), otherwise the broker named by <c>ConnectionStrings__rabbitmq</c>
/// (CI starts Debian's rabbitmq-server). Neither: the tests that need it skip, saying why.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private RabbitMqContainer? _container;

    public string? ConnectionString { get; private set; }

    public string? UnavailableReason { get; private set; }

    public string Source { get; private set; } = "";

    /// <summary>RabbitMQ 4's default limit on a message's size, which production brokers have.</summary>
    public const int ProductionMaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The largest message the broker takes, when known: RabbitMQ 4's 16 MiB. Debian's 3.10
    /// allows 128 MiB, so a local one is set to 16 MiB here, and every test meets the limit
    /// production has. Null when it could not be set.
    /// </summary>
    public int? MaxMessageBytes { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var image = await LocalRabbitMqImageAsync();
        if (image is not null)
        {
            _container = new RabbitMqBuilder(image).Build();
            await _container.StartAsync();
            ConnectionString = _container.GetConnectionString();
            Source = $"Testcontainers ({image})";
            MaxMessageBytes = image.StartsWith("rabbitmq:4", StringComparison.Ordinal) ? ProductionMaxMessageBytes : null;
            return;
        }

        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__rabbitmq");
        if (string.IsNullOrWhiteSpace(configured))
        {
            UnavailableReason = "No RabbitMQ: no local rabbitmq image for Testcontainers, and ConnectionStrings__rabbitmq is not set.";
            return;
        }

        var uri = new Uri(configured);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(uri.Host, uri.Port > 0 ? uri.Port : 5672).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            UnavailableReason = $"No RabbitMQ: ConnectionStrings__rabbitmq names {uri.Host}:{uri.Port}, which does not answer ({e.Message}).";
            return;
        }

        ConnectionString = configured;
        Source = "ConnectionStrings__rabbitmq";

        // Read by each channel as it opens: the services, started after this, all meet it.
        if (uri.IsLoopback && await ChildProcess.AnswersAsync("rabbitmqctl", "-q", "eval",
                $"application:set_env(rabbit, max_message_size, {ProductionMaxMessageBytes})."))
        {
            MaxMessageBytes = ProductionMaxMessageBytes;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static async Task<string?> LocalRabbitMqImageAsync()
    {
        try
        {
            using var docker = DockerFixture.CreateClient();
            var images = await docker.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { ["rabbitmq"] = true } },
            });
            return images.SelectMany(i => i.RepoTags ?? []).FirstOrDefault(tag => tag.StartsWith("rabbitmq:", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or SocketException)
        {
            return null;
        }
    }
}
