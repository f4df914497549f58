using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Berth.ServiceDefaults.Models;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Where each model is called. With a catalog, each entry has its own endpoint, key and upstream
/// name, and a name not in it has none. Without one, every name goes to the one configured
/// endpoint. One OpenAI client per endpoint (it pools its connections), one chat client per model.
/// </summary>
internal sealed class ChatModels
{
    /// <summary>Without a catalog any name may come; past this many, a name gets a chat client of its own each call instead of a cached one.</summary>
    private const int MaxCachedNames = 256;

    private readonly ModelOptions _settings;
    private readonly OpenAIClient _default;
    private readonly Dictionary<string, ModelRoute> _catalog = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelRoute> _uncatalogued = new(StringComparer.Ordinal);

    public ChatModels(IOptions<ModelOptions> options, IOptions<ModelCatalog> catalog)
    {
        _settings = options.Value;
        _default = Client(_settings.BaseUrl, _settings.ApiKey);
        var clients = new Dictionary<(string?, string?), OpenAIClient>();
        foreach (var entry in catalog.Value.Models)
        {
            var endpoint = (entry.BaseUrl ?? _settings.BaseUrl, entry.ApiKey ?? _settings.ApiKey);
            if (!clients.TryGetValue(endpoint, out var client))
            {
                clients[endpoint] = client = Client(endpoint.Item1, endpoint.Item2);
            }

            _catalog[entry.Id] = new ModelRoute(client.GetChatClient(entry.Name ?? entry.Id), entry.MaxConcurrency is { } max ? new SemaphoreSlim(max, max) : null, entry.ContextTokens);
        }
    }

    /// <summary>The model's route; null when there is a catalog and the name is not in it.</summary>
    public ModelRoute? For(string model)
    {
        if (_catalog.Count > 0)
        {
            return _catalog.GetValueOrDefault(model);
        }

        return _uncatalogued.TryGetValue(model, out var cached) ? cached
            : _uncatalogued.Count < MaxCachedNames ? _uncatalogued.GetOrAdd(model, name => new ModelRoute(_default.GetChatClient(name), null, null))
            : new ModelRoute(_default.GetChatClient(model), null, null);
    }

    /// <summary>The configured endpoint's own model list, for <c>GET /v1/models</c> without a catalog.</summary>
    public OpenAI.Models.OpenAIModelClient UpstreamModels() => _default.GetOpenAIModelClient();

    private OpenAIClient Client(string? baseUrl, string? apiKey)
    {
        var clientOptions = new OpenAIClientOptions
        {
            // The SDK's own policy retries 429s, 5xx and dropped connections with exponential
            // backoff, honouring Retry-After; other errors surface at once.
            RetryPolicy = new ClientRetryPolicy(_settings.MaxRetries),
            NetworkTimeout = TimeSpan.FromSeconds(_settings.TimeoutSeconds),
        };
        if (!string.IsNullOrWhiteSpace(baseUrl))
        {
            clientOptions.Endpoint = new Uri(baseUrl);
        }

        // Local servers (Ollama, vLLM) take no key, but the SDK requires one: send a placeholder.
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? "no-key" : apiKey), clientOptions);
    }
}

/// <summary>A model's chat client, the slots that bound its calls in flight (none: no bound), and its context window when known.</summary>
internal sealed record ModelRoute(ChatClient Chat, SemaphoreSlim? Slots, int? ContextTokens);
