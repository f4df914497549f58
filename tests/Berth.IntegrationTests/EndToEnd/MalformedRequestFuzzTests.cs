using System.Net;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// Thousands of generated malformed requests against the running api: broken and mistyped JSON,
/// deep nesting, huge values, bad bytes, odd ids and paths, wrong methods. None may get a 5xx or
/// a body outside OpenAI's error shape, and the stack must serve a normal request afterwards.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MalformedRequestFuzzTests(BerthStack stack, ITestOutputHelper output)
{
    private const int Requests = 3000;

    // No tools: a mutation that happens to stay valid runs as a cheap background response.
    private const string ValidBody = """{"model": "berth-scripted", "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}], "background": true, "metadata": {"k": "v"}, "max_tool_calls": 3}""";

    private static readonly string[] Paths =
    [
        "responses", "responses/{id}", "responses/{id}/cancel", "responses/{id}/input_items", "models", "models/{id}", "containers", "containers/{id}", "containers/{id}/files",
        "containers/{id}/files/{id}", "containers/{id}/files/{id}/content", "webhook_endpoints", "webhook_endpoints/{id}",
        "webhook_endpoints/{id}/deliveries", "files", "files/{id}", "files/{id}/content", "conversations", "conversations/{id}", "conversations/{id}/items",
        "conversations/{id}/items/{id}", "skills", "skills/{id}", "skills/{id}/content", "skills/{id}/versions", "skills/{id}/versions/{id}",
        "skills/{id}/versions/{id}/content", "responses/compact",
    ];

    private static readonly string[] Ids =
    [
        "resp_0123456789abcdef0123456789abcdef", "", "..", "..%2F..%2Fetc%2Fpasswd", "%00", "cntr_" + new string('a', 5000), "😀",
        "resp_'; DROP TABLE responses; --", "%E0%A4%A", "{id}", "-1", "9999999999999999999999", "file-..%2Fsecret", "we_%0D%0AX-Injected: 1", "conv_0123456789abcdef0123456789abcdef", "skill_0123456789abcdef0123456789abcdef", "1",
    ];

    [Fact]
    public async Task Should_answer_every_malformed_request_with_a_4xx_in_OpenAI_shape_and_keep_serving()
    {
        stack.BeginTest();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var cases = Enumerable.Range(0, Requests).Select(_ => NewCase(random)).ToList();
        var outcomes = new List<(int Status, string Problem, bool ByServer)>();
        using var gate = new SemaphoreSlim(8);

        await Task.WhenAll(cases.Select(async request =>
        {
            await gate.WaitAsync();
            try
            {
                var outcome = await SendAsync(request);
                lock (outcomes)
                {
                    outcomes.Add(outcome);
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        var byClass = outcomes.GroupBy(o => o.Status / 100).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"fuzz (seed {seed}): {outcomes.Count} requests tried; 2xx {byClass.GetValueOrDefault(2)}, "
            + $"4xx {byClass.GetValueOrDefault(4)} (of which {outcomes.Count(o => o.ByServer)} refused by Kestrel before reaching Berth, without a body), "
            + $"5xx {byClass.GetValueOrDefault(5)}, other {outcomes.Count(o => o.Status / 100 is not (2 or 4 or 5))}");

        var problems = outcomes.Where(o => o.Problem.Length > 0).Select(o => o.Problem).Distinct().Take(10).ToList();
        Assert.True(problems.Count == 0, $"seed {seed}: {string.Join("\n", problems)}");
        Assert.Equal(0, byClass.GetValueOrDefault(5));

        var normal = await new ResponsesApi(stack).CreateAsync(ResponsesApi.ShellRequest("echo still here"));
        Assert.Equal("completed", normal.Status());
    }

    private sealed record FuzzCase(HttpMethod Method, string Path, byte[]? Body, string ContentType);

    private static FuzzCase NewCase(Random random)
    {
        var path = Paths[random.Next(Paths.Length)].Replace("{id}", Ids[random.Next(Ids.Length)], StringComparison.Ordinal);
        return random.Next(12) switch
        {
            < 6 => new FuzzCase(HttpMethod.Post, "responses", MutatedBody(random), "application/json"),
            10 or 11 => new FuzzCase(HttpMethod.Post, random.Next(2) == 0 ? "containers" : "webhook_endpoints", OtherBody(random), "application/json"),
            6 => new FuzzCase(HttpMethod.Post, Paths[random.Next(Paths.Length)].Replace("{id}", "x", StringComparison.Ordinal), MutatedBody(random), "application/json"),
            7 when random.Next(2) == 0 => new FuzzCase(HttpMethod.Post, "files", MultipartBody(random), "multipart/form-data; boundary=b"),
            7 => new FuzzCase(HttpMethod.Post, random.Next(2) == 0 ? "responses" : "files", Encoding.UTF8.GetBytes(ValidBody), random.Next(2) == 0 ? "text/plain" : "multipart/form-data; boundary=x"),
            8 => new FuzzCase(new[] { HttpMethod.Get, HttpMethod.Delete, HttpMethod.Put, HttpMethod.Patch }[random.Next(4)], path, null, "application/json"),
            _ => new FuzzCase(HttpMethod.Get, path + (random.Next(2) == 0 ? "?stream=true&starting_after=" + Ids[random.Next(Ids.Length)] : "?limit=-5&order=sideways&after=%00"), null, "application/json"),
        };
    }

    /// <summary>Uploads for <c>POST /v1/files</c> that are broken or hostile: cut short, odd names, oversized headers and fields, the wrong boundary.</summary>
    private static byte[] MultipartBody(Random random)
    {
        var filename = new[] { "notes.txt", "../../etc/passwd", "a\\b", "..", "", new string('n', 5000), "x\u0001y" }[random.Next(7)];
        var disposition = random.Next(4) switch
        {
            0 => $"form-data; name=\"file\"; filename*=UTF-8''%ED%A0%80{random.Next()}",
            1 => "attachment",
            2 => $"form-data; name=\"{new string('f', random.Next(1, 20_000))}\"",
            _ => $"form-data; name=\"file\"; filename=\"{filename}\"",
        };
        var purpose = new[] { "user_data", "batch", "", new string('p', 100_000), "\ud800" }[random.Next(5)];
        var text = $"--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n"
            + $"--b\r\nContent-Disposition: {disposition}\r\n\r\nabc\r\n--{(random.Next(4) == 0 ? "c" : "b")}--\r\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        return random.Next(3) == 0 ? bytes[..random.Next(bytes.Length)] : bytes;
    }

    private static byte[] MutatedBody(Random random)
    {
        var text = ValidBody;
        switch (random.Next(10))
        {
            case 0:
                // Cut anywhere.
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
            case 1:
                // A character inserted anywhere.
                return Encoding.UTF8.GetBytes(text.Insert(random.Next(text.Length), ((char)random.Next(0x20, 0x7f)).ToString()));
            case 2:
                // A value of the wrong type at every known key.
                var key = new[] { "model", "input", "background", "metadata", "max_tool_calls", "tools", "previous_response_id", "instructions", "stream" }[random.Next(9)];
                var value = new[] { "null", "true", "-1", "1e309", "\"\"", "[]", "{}", "[[[]]]", "\"" + new string('x', random.Next(1, 100_000)) + "\"", "{\"type\": \"shell\"}" }[random.Next(10)];
                return Encoding.UTF8.GetBytes($"{{\"model\": \"berth-scripted\", \"input\": \"hi\", \"background\": true, \"{key}\": {value}}}");
            case 3:
                // Nesting far past any sane depth.
                var depth = random.Next(65, 5000);
                return Encoding.UTF8.GetBytes($"{{\"model\": \"m\", \"input\": {new string('[', depth)}{new string(']', depth)}}}");
            case 4:
                // Bytes that are not UTF-8.
                var bytes = Encoding.UTF8.GetBytes(text);
                bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
                return bytes;
            case 5:
                return [];
            case 6:
                // Valid JSON, but not an object.
                return Encoding.UTF8.GetBytes(new[] { "null", "[]", "42", "\"text\"", "true" }[random.Next(5)]);
            case 7:
                // Tools that cannot be.
                return Encoding.UTF8.GetBytes("""{"model": "m", "input": "hi", "tools": [{"type": "shell", "environment": {"type": "container_reference", "container_id": "../../etc"}}, {"type": "function"}]}""");
            case 8:
                // An unpaired surrogate, in a value or a name, anywhere.
                var lone = new[] { "\\ud800", "\\udfff", "a\\ud83d", "\\ud83d\\u0041" }[random.Next(4)];
                return Encoding.UTF8.GetBytes(random.Next(3) switch
                {
                    0 => $"{{\"model\": \"{lone}\", \"input\": \"hi\"}}",
                    1 => $"{{\"model\": \"berth-scripted\", \"input\": [{{\"type\": \"item_reference\", \"id\": \"{lone}\"}}]}}",
                    _ => $"{{\"model\": \"berth-scripted\", \"input\": \"hi\", \"metadata\": {{\"{lone}\": \"v\"}}}}",
                });
            default:
                // Input items of every wrong shape.
                var item = new[]
                {
                    "{}", "{\"role\": \"system\"}", "{\"role\": \"user\", \"content\": 5}", "{\"type\": \"shell_call_output\"}", "[]", "\"x\"",
                    "{\"type\": \"item_reference\"}", "{\"type\": \"item_reference\", \"id\": \"" + new string('x', random.Next(100, 10_000)) + "\"}",
                    "{\"type\": \"shell_call\", \"call_id\": \"c\", \"action\": {\"commands\": [1]}}", "{\"type\": \"function_call\", \"call_id\": \"c\", \"name\": 5}",
                    "{\"type\": \"shell_call_output\", \"call_id\": \"c\", \"output\": [{\"outcome\": {\"type\": \"exit\", \"exit_code\": 1e99}}]}", "{\"type\": \"reasoning\", \"summary\": {}}",
                    "{\"role\": \"user\", \"content\": [{\"type\": \"input_file\", \"file_id\": \"file-\ud800\"}]}",
                    "{\"role\": \"user\", \"content\": [{\"type\": \"input_file\", \"file_data\": \"data:" + new string('a', random.Next(1, 10_000)) + "/x;base64,AA==\", \"filename\": \"a\"}]}",
                    "{\"role\": \"user\", \"content\": [{\"type\": \"input_image\", \"file_id\": \"file-00000000000000000000000000000000\", \"image_url\": 5}]}",
                    "{\"role\": \"user\", \"content\": [{\"type\": \"input_file\", \"file_id\": \"file-00000000000000000000000000000000\", \"filename\": \"" + new string('n', random.Next(256, 5_000)) + "\"}]}",
                    "{\"type\": \"compaction\", \"encrypted_content\": \"berth-compaction-1." + new string('A', random.Next(1, 200_000)) + "\"}",
                    "{\"type\": \"compaction\", \"encrypted_content\": 5}",
                }[random.Next(18)];
                return Encoding.UTF8.GetBytes($"{{\"model\": \"berth-scripted\", \"input\": [{item}]}}");
        }
    }

    /// <summary>Bodies for the other routes that take one: wrong types, huge values and unpaired surrogates in their fields.</summary>
    private static byte[] OtherBody(Random random)
    {
        var key = new[] { "name", "expires_after", "memory_limit", "network_policy", "file_ids", "url", "events", "secret", "items", "metadata", "default_version", "input" }[random.Next(12)];
        var value = new[]
        {
            "null", "-1", "1e309", "\"\"", "[]", "{}", "[[[]]]", "\"\\ud800\"", "[\"\\udc00\"]", "{\"anchor\": \"\\ud83d\", \"minutes\": 5}",
            "\"" + new string('x', random.Next(1, 100_000)) + "\"", "{\"type\": \"allowlist\", \"allowed_domains\": [\"\\udfff.test\"]}",
        }[random.Next(12)];
        return Encoding.UTF8.GetBytes($"{{\"{key}\": {value}}}");
    }

    private async Task<(int Status, string Problem, bool ByServer)> SendAsync(FuzzCase fuzz)
    {
        using var request = new HttpRequestMessage(fuzz.Method, fuzz.Path);
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
        }

        using var response = await stack.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return (status, "", false);
        }

        var text = await response.Content.ReadAsStringAsync();

        // Kestrel refuses some requests before any middleware runs: a NUL in the path (400), a
        // request line over its 8 KB limit (414), headers too large (431). Bare, with no body.
        // Counted apart: nothing of Berth's ran.
        if (status is 400 or 414 or 431 && text.Length == 0)
        {
            return (status, "", true);
        }

        var described = $"{fuzz.Method} {fuzz.Path[..Math.Min(120, fuzz.Path.Length)]} {(fuzz.Body is null ? "" : Encoding.UTF8.GetString(fuzz.Body[..Math.Min(200, fuzz.Body.Length)]))} -> {status}";
        if (status >= 500)
        {
            return (status, $"{described}: {text[..Math.Min(300, text.Length)]}", false);
        }

        try
        {
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            return error.GetProperty("message").ValueKind == JsonValueKind.String && error.TryGetProperty("type", out _)
                ? (status, "", false)
                : (status, $"{described}: error without message or type: {text}", false);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (status, $"{described}: not OpenAI's error shape: {text[..Math.Min(300, text.Length)]}", false);
        }
    }
}
