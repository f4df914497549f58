using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>One OpenAI client for the process (it pools its connections), one chat client per model name.</summary>
public sealed class ChatModels
{
    private readonly OpenAIClient _client;
    private readonly ConcurrentDictionary<string, ChatClient> _chats = new(StringComparer.Ordinal);

    public ChatModels(IOptions<ModelOptions> options)
    {
        var settings = options.Value;
        var clientOptions = new OpenAIClientOptions
        {
            // The SDK's own policy retries 429s, 5xx and dropped connections with exponential
            // backoff, honouring Retry-After; other errors surface at once.
            RetryPolicy = new ClientRetryPolicy(settings.MaxRetries),
            NetworkTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
        };
        if (!string.IsNullOrWhiteSpace(settings.BaseUrl))
        {
            clientOptions.Endpoint = new Uri(settings.BaseUrl);
        }

        // Local servers (Ollama, vLLM) take no key, but the SDK requires one: send a placeholder.
        var key = string.IsNullOrWhiteSpace(settings.ApiKey) ? "no-key" : settings.ApiKey;
        _client = new OpenAIClient(new ApiKeyCredential(key), clientOptions);
    }

    public ChatClient For(string model) => _chats.GetOrAdd(model, _client.GetChatClient);
}
