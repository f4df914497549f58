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

        var toolCalls = reply.ShellCalls.Select((call, index) => new
        {
            id = $"call_{Guid.NewGuid():N}",
            type = "function",
            function = new
            {
                name = "shell",
                arguments = JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["commands"] = call.Commands,
                    ["timeout_ms"] = call.TimeoutMs,
                    ["max_output_length"] = call.MaxOutputLength,
                }.Where(p => p.Value is not null).ToDictionary()),
            },
        }).ToList();

        // Rough counts (four characters a token) so usage is non-zero and grows with the conversation.
        var promptTokens = Math.Max(1, body.RootElement.GetProperty("messages").GetRawText().Length / 4);
        var completionTokens = Math.Max(1, ((reply.Text?.Length ?? 0) + toolCalls.Sum(c => c.function.arguments.Length)) / 4);

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
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        });
    }
}
