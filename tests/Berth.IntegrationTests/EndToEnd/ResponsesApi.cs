using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>Raw HTTP to the api, for what the SDK hides: status codes, error bodies, exact fields.</summary>
/// <param name="client">Another api instance, or the same with a tenant's key; the stack's own api when null.</param>
public sealed class ResponsesApi(BerthStack stack, HttpClient? client = null)
{
    private HttpClient Http => client ?? stack.Http;

    /// <summary>The official SDK's Responses client, pointed at the stack's api.</summary>
    public static OpenAI.Responses.ResponsesClient Sdk(BerthStack stack) => new(new System.ClientModel.ApiKeyCredential("not-checked-yet"), new OpenAI.Responses.ResponsesClientOptions
    {
        Endpoint = new Uri(stack.ApiBaseUrl.ToString().TrimEnd('/')),
    });

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostRawAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("responses", content);
        return (response.StatusCode, await ReadAsync(response));
    }

    public async Task<JsonElement> CreateAsync(object request)
    {
        using var response = await Http.PostAsJsonAsync("responses", request);
        var body = await ReadAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"POST /v1/responses answered {(int)response.StatusCode}: {body}; {stack.Logs}");
        return body;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string id)
    {
        using var response = await Http.GetAsync($"responses/{id}");
        return (response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Polls until the response leaves queued and in_progress, or fails the test after a minute.</summary>
    public async Task<JsonElement> WaitUntilFinishedAsync(string id)
    {
        JsonElement body = default;
        await Eventually.TrueAsync(async () =>
        {
            (var status, body) = await GetAsync(id);
            Assert.Equal(HttpStatusCode.OK, status);
            return body.Status() is not ("queued" or "in_progress");
        }, TimeSpan.FromMinutes(1), $"{id} to finish; {stack.Logs}");
        return body;
    }

    /// <summary>Waits until each response has sent its shell call to an executor.</summary>
    public Task WaitUntilCallsSentAsync(params IReadOnlyCollection<string> ids) =>
        Eventually.TrueAsync(async () => (await Task.WhenAll(ids.Select(async id => (await GetAsync(id)).Body.Items("shell_call").Any()))).All(sent => sent),
            TimeSpan.FromSeconds(60), $"the shell call of {ids.Count} response(s) to be sent");

    /// <summary>
    /// Waits until every response has finished, and returns them by id. A read that fails (the
    /// api still without its broker, after a fault) counts as not finished yet.
    /// </summary>
    public async Task<Dictionary<string, JsonElement>> WaitUntilAllFinishedAsync(IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        var finished = new Dictionary<string, JsonElement>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var id in ids.Where(id => !finished.ContainsKey(id)))
            {
                var (status, body) = await GetAsync(id);
                if (status == HttpStatusCode.OK && body.Status() is not ("queued" or "in_progress"))
                {
                    finished[id] = body;
                }
            }

            return finished.Count == ids.Count;
        }, timeout, $"all {ids.Count} responses to finish");
        return finished;
    }

    public static object ShellRequest(string input, string? previousResponseId = null, int? maxToolCalls = null, bool background = false, bool stream = false) => new Dictionary<string, object?>
    {
        ["stream"] = stream ? true : null,
        ["model"] = "berth-scripted",
        ["input"] = input,
        ["tools"] = new[] { new { type = "shell", environment = new { type = "container_auto" } } },
        ["previous_response_id"] = previousResponseId,
        ["max_tool_calls"] = maxToolCalls,
        ["background"] = background,
    }.Where(p => p.Value is not null).ToDictionary();

    /// <summary>A request whose shell tool runs in the container named (<c>container_reference</c>).</summary>
    public static Dictionary<string, object?> InContainer(string input, string containerId, string? previousResponseId = null) => new Dictionary<string, object?>
    {
        ["model"] = "berth-scripted",
        ["input"] = input,
        ["tools"] = new[] { new { type = "shell", environment = new { type = "container_reference", container_id = containerId } } },
        ["previous_response_id"] = previousResponseId,
    }.Where(p => p.Value is not null).ToDictionary();

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"The api answered {(int)response.StatusCode} with a body that is not JSON: {text}");
            throw;
        }
    }
}

public static class ResponseJsonExtensions
{
    public static IEnumerable<JsonElement> Items(this JsonElement response, string type) =>
        response.GetProperty("output").EnumerateArray().Where(item => item.GetProperty("type").GetString() == type);

    /// <summary>The output entries of every shell_call_output, in order.</summary>
    public static List<JsonElement> CommandOutputs(this JsonElement response) =>
        [.. response.Items("shell_call_output").SelectMany(item => item.GetProperty("output").EnumerateArray())];

    public static string Text(this JsonElement response) =>
        string.Concat(response.Items("message").SelectMany(m => m.GetProperty("content").EnumerateArray()).Select(c => c.GetProperty("text").GetString()));

    public static string Status(this JsonElement response) => response.GetProperty("status").GetString()!;

    public static string Id(this JsonElement response) => response.GetProperty("id").GetString()!;
}
