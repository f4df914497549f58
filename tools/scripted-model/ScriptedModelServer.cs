using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Berth.ScriptedModel;

/// <summary>
/// A real HTTP server on loopback that answers <c>POST /v1/chat/completions</c> from a script,
/// so the planner's OpenAI SDK code runs exactly as against a real endpoint.
/// </summary>
public sealed class ScriptedModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ChatRequest> _requests = new();
    private Func<ChatRequest, ScriptedReply> _script;

    private ScriptedModelServer(WebApplication app, Func<ChatRequest, ScriptedReply> script)
    {
        _app = app;
        _script = script;
    }

    /// <summary>The base URL to give an OpenAI client, ending in <c>/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every chat request received so far, oldest first.</summary>
    public IReadOnlyCollection<ChatRequest> Requests => _requests;

    /// <summary>Replaces the script; requests already answered are unaffected.</summary>
    public void UseScript(Func<ChatRequest, ScriptedReply> script) => _script = script;

    public static async Task<ScriptedModelServer> StartAsync(string url = "http://127.0.0.1:0", Func<ChatRequest, ScriptedReply>? script = null, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var server = new ScriptedModelServer(app, script ?? CommandRunnerScript.Reply);

        app.MapPost("/v1/chat/completions", server.CompleteAsync);
        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = "berth-scripted", @object = "model", created = 0, owned_by = "berth" } },
        }));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri($"{address.TrimEnd('/')}/v1");
        return server;
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> CompleteAsync(HttpRequest http)
    {
        using var body = await JsonDocument.ParseAsync(http.Body);
        var request = ChatRequest.Parse(body.RootElement);
        _requests.Enqueue(request);

        var reply = _script(request);
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, http.HttpContext.RequestAborted);
        }

        if (reply.ErrorStatus is { } status)
        {
            return Results.Json(new { error = new { message = $"Scripted failure with status {status}.", type = "server_error", param = (string?)null, code = (string?)null } }, statusCode: status);
        }

        var toolCalls = reply.ShellCalls.Select(call => new ScriptedFunctionCall("shell", JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["commands"] = call.Commands,
            ["timeout_ms"] = call.TimeoutMs,
            ["max_output_length"] = call.MaxOutputLength,
        }.Where(p => p.Value is not null).ToDictionary())))
            .Concat(reply.FunctionCalls)
            .Select(call => new { id = $"call_{Guid.NewGuid():N}", type = "function", function = new { name = call.Name, arguments = call.Arguments } })
            .ToList();

        // Rough counts (four characters a token) so usage is non-zero and grows with the conversation.
        var promptTokens = Math.Max(1, body.RootElement.GetProperty("messages").GetRawText().Length / 4);
        var completionTokens = Math.Max(1, ((reply.Text?.Length ?? 0) + toolCalls.Sum(c => c.function.arguments.Length)) / 4);
        var usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens };

        if (body.RootElement.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            var includeUsage = body.RootElement.TryGetProperty("stream_options", out var options)
                && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
            await StreamAsync(http.HttpContext, request.Model, reply, [.. toolCalls.Select(c => (c.id, c.function.name, c.function.arguments))], includeUsage ? usage : null);
            return Results.Empty;
        }

        return Results.Json(new
        {
            id = $"chatcmpl-{Guid.NewGuid():N}",
            @object = "chat.completion",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model = request.Model,
            choices = new[]
            {
                new
                {
                    index = 0,
                    message = new
                    {
                        role = "assistant",
                        content = reply.Text,
                        tool_calls = toolCalls.Count == 0 ? null : toolCalls,
                    },
                    finish_reason = toolCalls.Count == 0 ? "stop" : "tool_calls",
                },
            },
            usage,
        });
    }

    /// <summary>
    /// The same answer as server-sent chunks, as OpenAI streams a chat completion: the role, the
    /// text a word at a time (<see cref="ScriptedReply.WordDelay"/> apart), each tool call's id and
    /// name and then its arguments in two pieces, the finish reason, the usage when the request
    /// asked for it (<c>stream_options.include_usage</c>), and <c>[DONE]</c>.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, string model, ScriptedReply reply, IReadOnlyList<(string Id, string Name, string Arguments)> toolCalls, object? usage)
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        http.Response.ContentType = "text/event-stream";
        var aborted = http.RequestAborted;

        async Task ChunkAsync(object? delta, string? finishReason = null, object? withUsage = null, bool noChoices = false)
        {
            var chunk = new
            {
                id,
                @object = "chat.completion.chunk",
                created,
                model,
                choices = noChoices ? [] : new[] { new { index = 0, delta, finish_reason = finishReason } },
                usage = withUsage,
            };
            await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", aborted);
            await http.Response.Body.FlushAsync(aborted);
        }

        await ChunkAsync(new { role = "assistant", content = "" });
        var words = reply.StampedWords > 0
            ? Enumerable.Range(0, reply.StampedWords).Select(_ => (string?)null).ToArray()
            : System.Text.RegularExpressions.Regex.Split(reply.Text ?? "", @"(?<=\s)");
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i] is "")
            {
                continue;
            }

            if (i > 0 && reply.WordDelay > TimeSpan.Zero)
            {
                await Task.Delay(reply.WordDelay, aborted);
            }

            var word = words[i] ?? $"{(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10} ";
            await ChunkAsync(new { content = word });
        }

        for (var index = 0; index < toolCalls.Count; index++)
        {
            var (callId, name, arguments) = toolCalls[index];
            await ChunkAsync(new { tool_calls = new[] { new { index, id = callId, type = "function", function = new { name, arguments = "" } } } });
            var half = arguments.Length / 2;
            foreach (var piece in new[] { arguments[..half], arguments[half..] })
            {
                await ChunkAsync(new { tool_calls = new[] { new { index, function = new { arguments = piece } } } });
            }
        }

        await ChunkAsync(new { }, toolCalls.Count == 0 ? "stop" : "tool_calls");
        if (usage is not null)
        {
            await ChunkAsync(null, withUsage: usage, noChoices: true);
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", aborted);
        await http.Response.Body.FlushAsync(aborted);
    }
}
