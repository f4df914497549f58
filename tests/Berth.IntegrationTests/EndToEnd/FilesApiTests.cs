using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI;
using OpenAI.Files;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>/v1/files</c> through the real stack: the official SDK's calls, the list's paging and
/// <c>expires_after</c> over raw HTTP, hostile uploads that keep nothing, the size cap, and tenants.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FilesApiTests
{
    private const string AcmeKey = "sk-berth-acme-files-5e6f7a8b9c0d";
    private const string GlobexKey = "sk-berth-globex-files-1a2b3c4d5e6f";
    private readonly BerthStack _stack;

    public FilesApiTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    private static OpenAIFileClient Sdk(HttpClient http, string key = "not-checked-here") =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(http.BaseAddress!.ToString().TrimEnd('/')) });

    private static MultipartFormDataContent Form(byte[]? bytes, string filename = "notes.txt", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        if (bytes is not null)
        {
            form.Add(new ByteArrayContent(bytes), "file", filename);
        }

        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private int KeptPayloads() =>
        Directory.Exists(Path.Combine(_stack.PayloadDirectory, "kept")) ? Directory.GetFiles(Path.Combine(_stack.PayloadDirectory, "kept")).Length : 0;

    [Fact]
    public async Task Should_upload_retrieve_list_download_and_delete_a_file_with_the_official_SDK()
    {
        var files = Sdk(_stack.Http);
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        OpenAIFile uploaded = await files.UploadFileAsync(BinaryData.FromBytes(bytes), "data ü.bin", FileUploadPurpose.UserData);
        OpenAIFile retrieved = await files.GetFileAsync(uploaded.Id);
        OpenAIFileCollection listed = await files.GetFilesAsync(FilePurpose.UserData);
        BinaryData downloaded = await files.DownloadFileAsync(uploaded.Id);

        Assert.Matches("^file-[0-9a-f]{32}$", uploaded.Id);
        Assert.Equal(("data ü.bin", bytes.LongLength, FilePurpose.UserData), (retrieved.Filename, retrieved.SizeInBytesLong, retrieved.Purpose));
        Assert.Contains(listed, f => f.Id == uploaded.Id);
        Assert.Equal(bytes, downloaded.ToArray());

        FileDeletionResult deleted = await files.DeleteFileAsync(uploaded.Id);
        Assert.True(deleted.Deleted);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => files.GetFileAsync(uploaded.Id))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => files.DownloadFileAsync(uploaded.Id))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => files.DeleteFileAsync(uploaded.Id))).Status);
    }

    [Fact]
    public async Task Should_page_the_list_by_purpose_and_give_expires_at_when_expires_after_is_set()
    {
        var purpose = "vision";
        var before = (await SendAsync(_stack.Http, HttpMethod.Get, $"files?purpose={purpose}&limit=10000")).Body.GetProperty("data").GetArrayLength();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await SendAsync(_stack.Http, HttpMethod.Post, "files",
                Form([1, 2, 3], $"image{i}.png", ("purpose", purpose), ("expires_after[anchor]", "created_at"), ("expires_after[seconds]", "3600")));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(body.GetProperty("created_at").GetInt64() + 3600, body.GetProperty("expires_at").GetInt64());
            ids.Add(body.GetProperty("id").GetString()!);
        }

        var newest = (await SendAsync(_stack.Http, HttpMethod.Get, $"files?purpose={purpose}&limit=2")).Body;
        var rest = (await SendAsync(_stack.Http, HttpMethod.Get, $"files?purpose={purpose}&limit=10000&after={newest.GetProperty("last_id").GetString()}")).Body;

        Assert.True(newest.GetProperty("has_more").GetBoolean());
        Assert.False(rest.GetProperty("has_more").GetBoolean());
        var listed = newest.GetProperty("data").EnumerateArray().Concat(rest.GetProperty("data").EnumerateArray()).Select(f => f.GetProperty("id").GetString()).ToList();
        Assert.Equal(before + 3, listed.Count);
        Assert.Equal(Enumerable.Reverse(ids), listed.Take(3));
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }

    [Fact]
    public async Task Should_refuse_hostile_uploads_by_name_and_keep_none_of_their_bytes()
    {
        var kept = KeptPayloads();
        var listed = (await SendAsync(_stack.Http, HttpMethod.Get, "files")).Body.GetProperty("data").GetArrayLength();
        byte[] bytes = [1, 2, 3];
        var cases = new (string What, HttpContent Content, string Param)[]
        {
            ("no purpose", Form(bytes), "purpose"),
            ("a purpose of an API Berth lacks", Form(bytes, fields: ("purpose", "batch")), "purpose"),
            ("an unknown purpose", Form(bytes, fields: ("purpose", "everything")), "purpose"),
            ("a purpose too long to be one", Form(bytes, fields: ("purpose", new string('p', 10_000))), "purpose"),
            ("no file", Form(null, fields: ("purpose", "user_data")), "file"),
            ("a path for a name", Form(bytes, "../../etc/passwd", ("purpose", "user_data")), "file"),
            ("a backslash in the name", Form(bytes, "a\\b.txt", ("purpose", "user_data")), "file"),
            ("a dot-dot name", Form(bytes, "..", ("purpose", "user_data")), "file"),
            ("a name of 300 bytes", Form(bytes, new string('n', 300), ("purpose", "user_data")), "file"),
            ("an unknown field", Form(bytes, fields: [("purpose", "user_data"), ("metadata", "x")]), "metadata"),
            ("a field twice", Form(bytes, fields: [("purpose", "user_data"), ("purpose", "user_data")]), "purpose"),
            ("an anchor OpenAI does not have", Form(bytes, fields: [("purpose", "user_data"), ("expires_after[anchor]", "last_active_at"), ("expires_after[seconds]", "3600")]), "expires_after.anchor"),
            ("an expiry under an hour", Form(bytes, fields: [("purpose", "user_data"), ("expires_after[anchor]", "created_at"), ("expires_after[seconds]", "59")]), "expires_after.seconds"),
            ("an expiry that is no number", Form(bytes, fields: [("purpose", "user_data"), ("expires_after[anchor]", "created_at"), ("expires_after[seconds]", "1e9")]), "expires_after.seconds"),
            ("JSON instead of a form", new StringContent("""{"purpose":"user_data","file":"AAEC"}""", Encoding.UTF8, "application/json"), "file"),
        };

        foreach (var (what, content, param) in cases)
        {
            var (status, body) = await SendAsync(_stack.Http, HttpMethod.Post, "files", content);
            Assert.True(status == HttpStatusCode.BadRequest, $"{what}: {status} {body}");
            Assert.True(body.GetProperty("error").GetProperty("param").GetString() == param, $"{what}: {body}");
        }

        var twoFiles = Form(bytes, fields: ("purpose", "user_data"));
        twoFiles.Add(new ByteArrayContent(bytes), "file", "second.txt");
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(_stack.Http, HttpMethod.Post, "files", twoFiles)).Status);

        foreach (var query in new[] { "limit=0", "limit=10001", "order=sideways", "after=resp_0123", $"purpose={new string('p', 65)}" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(_stack.Http, HttpMethod.Get, $"files?{query}")).Status);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(_stack.Http, HttpMethod.Get, "files/..%2F..%2Fetc%2Fpasswd")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(_stack.Http, HttpMethod.Get, $"files/file-{Guid.NewGuid():N}/content")).Status);
        Assert.Equal(kept, KeptPayloads());
        Assert.Equal(listed, (await SendAsync(_stack.Http, HttpMethod.Get, "files")).Body.GetProperty("data").GetArrayLength());

        // The count above sees what an upload keeps: one file's bytes, gone again with the file.
        var (_, accepted) = await SendAsync(_stack.Http, HttpMethod.Post, "files", Form(bytes, fields: ("purpose", "user_data")));
        Assert.Equal(kept + 1, KeptPayloads());
        await SendAsync(_stack.Http, HttpMethod.Delete, $"files/{accepted.GetProperty("id").GetString()}");
        Assert.Equal(kept, KeptPayloads());
    }

    [Fact]
    public async Task Should_copy_uploaded_files_into_a_new_container_and_into_a_running_one_by_file_id()
    {
        var files = Sdk(_stack.Http);
        OpenAIFile alpha = await files.UploadFileAsync(BinaryData.FromString("alpha\n"), "alpha.txt", FileUploadPurpose.UserData);
        var bigBytes = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        OpenAIFile big = await files.UploadFileAsync(BinaryData.FromBytes(bigBytes), "big.bin", FileUploadPurpose.Assistants);
        OpenAIFile later = await files.UploadFileAsync(BinaryData.FromString("later\n"), "later.txt", FileUploadPurpose.UserData);
        OpenAIFile sameName = await files.UploadFileAsync(BinaryData.FromString("other\n"), "alpha.txt", FileUploadPurpose.UserData);
        var name = $"with-files-{Guid.NewGuid():N}";

        // Refused before anything is made: an unknown id, two files of one name, an id of the wrong shape.
        foreach (var (ids, param) in new[]
        {
            ($"[\"{alpha.Id}\", \"file-{Guid.NewGuid():N}\"]", "file_ids[1]"),
            ($"[\"{alpha.Id}\", \"{sameName.Id}\"]", "file_ids[1]"),
            ("[\"../etc/passwd\"]", "file_ids[0]"),
            ($"[\"{alpha.Id}\", \"{alpha.Id}\"]", "file_ids[1]"),
            ("\"file-0\"", "file_ids"),
        })
        {
            var (status, body) = await SendAsync(_stack.Http, HttpMethod.Post, "containers", new StringContent($$"""{"name": "{{name}}", "file_ids": {{ids}}}""", Encoding.UTF8, "application/json"));
            Assert.True(status == HttpStatusCode.BadRequest && body.GetProperty("error").GetProperty("param").GetString() == param, $"{ids}: {status} {body}");
        }

        var containers = (await SendAsync(_stack.Http, HttpMethod.Get, "containers?limit=100")).Body.GetProperty("data").EnumerateArray();
        Assert.DoesNotContain(containers, c => c.GetProperty("name").GetString() == name);

        var (created, container) = await SendAsync(_stack.Http, HttpMethod.Post, "containers",
            new StringContent($$"""{"name": "{{name}}", "file_ids": ["{{alpha.Id}}", "{{big.Id}}"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, created);
        var containerId = container.GetProperty("id").GetString()!;
        var (added, copy) = await SendAsync(_stack.Http, HttpMethod.Post, $"containers/{containerId}/files",
            new StringContent($$"""{"file_id": "{{later.Id}}"}""", Encoding.UTF8, "application/json"));
        Assert.True(added == HttpStatusCode.OK, copy.ToString());
        Assert.Equal(("/mnt/data/later.txt", "user"), (copy.GetProperty("path").GetString(), copy.GetProperty("source").GetString()));

        // Copies: the uploads can go, and the container keeps its files.
        foreach (var upload in new[] { alpha, big, later, sameName })
        {
            await files.DeleteFileAsync(upload.Id);
        }

        var listed = (await SendAsync(_stack.Http, HttpMethod.Get, $"containers/{containerId}/files")).Body.GetProperty("data").EnumerateArray()
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("id").GetString()!);
        Assert.Equal(["/mnt/data/alpha.txt", "/mnt/data/big.bin", "/mnt/data/later.txt"], listed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("alpha\n"u8.ToArray(), await _stack.Http.GetByteArrayAsync($"containers/{containerId}/files/{listed["/mnt/data/alpha.txt"]}/content"));
        Assert.Equal(bigBytes, await _stack.Http.GetByteArrayAsync($"containers/{containerId}/files/{listed["/mnt/data/big.bin"]}/content"));

        var (gone, refusal) = await SendAsync(_stack.Http, HttpMethod.Post, $"containers/{containerId}/files",
            new StringContent($$"""{"file_id": "{{later.Id}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.BadRequest, "file_id"), (gone, refusal.GetProperty("error").GetProperty("param").GetString()));
        await SendAsync(_stack.Http, HttpMethod.Delete, $"containers/{containerId}");
    }

    [Fact]
    public async Task Should_make_a_sessions_own_container_with_the_files_container_auto_names_and_keep_it_so_along_the_chain()
    {
        var files = Sdk(_stack.Http);
        OpenAIFile data = await files.UploadFileAsync(BinaryData.FromString("a,b\n1,2\n"), "data.csv", FileUploadPurpose.UserData);
        OpenAIFile other = await files.UploadFileAsync(BinaryData.FromString("x\n"), "other.txt", FileUploadPurpose.UserData);
        static object Request(string input, string[]? fileIds, string? previous = null) => new Dictionary<string, object?>
        {
            ["model"] = "berth-scripted",
            ["input"] = input,
            ["tools"] = new object[] { new { type = "function", name = "noop", parameters = new { type = "object" } }, new { type = "shell", environment = new Dictionary<string, object?> { ["type"] = "container_auto", ["file_ids"] = fileIds } } },
            ["previous_response_id"] = previous,
        };

        var api = new ResponsesApi(_stack);
        var (unknownStatus, unknown) = await api.PostRawAsync(JsonSerializer.Serialize(Request("ls /mnt/data", [$"file-{Guid.NewGuid():N}"])));
        var first = await api.CreateAsync(Request("cat /mnt/data/data.csv", [data.Id]));
        var repeated = await api.CreateAsync(Request("ls /mnt/data", [data.Id], first.Id()));
        var (changedStatus, changed) = await api.PostRawAsync(JsonSerializer.Serialize(Request("ls /mnt/data", [other.Id], repeated.Id())));

        Assert.Equal((HttpStatusCode.BadRequest, "tools[1].environment.file_ids[0]"), (unknownStatus, unknown.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal("a,b\n1,2\n", first.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal("data.csv\n", repeated.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal((HttpStatusCode.BadRequest, "tools"), (changedStatus, changed.GetProperty("error").GetProperty("param").GetString()));
    }

    [Fact]
    public async Task Should_refuse_a_file_over_the_cap_and_show_each_tenant_only_its_own_files()
    {
        const int cap = 1024 * 1024;
        var (api, http) = await _stack.StartApiAsync("api-files", ("BERTH_API_KEYS", $"acme:{AcmeKey}, globex:{GlobexKey}"), ("Api__MaxFileBytes", cap.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using (http)
        {
            var kept = KeptPayloads();
            var (tooLarge, refusal) = await SendAsync(http, HttpMethod.Post, "files", Form(new byte[cap + 1], fields: ("purpose", "user_data")), AcmeKey);
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "file_too_large"), (tooLarge, refusal.GetProperty("error").GetProperty("code").GetString()));
            Assert.Equal(kept, KeptPayloads());

            OpenAIFile acme = await Sdk(http, AcmeKey).UploadFileAsync(BinaryData.FromBytes(new byte[cap]), "exactly-the-cap.bin", FileUploadPurpose.Assistants);
            var globex = Sdk(http, GlobexKey);

            Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => globex.GetFileAsync(acme.Id))).Status);
            Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => globex.DownloadFileAsync(acme.Id))).Status);
            Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => globex.DeleteFileAsync(acme.Id))).Status);
            Assert.DoesNotContain((OpenAIFileCollection)await globex.GetFilesAsync(), f => f.Id == acme.Id);
            Assert.Equal(cap, ((BinaryData)await Sdk(http, AcmeKey).DownloadFileAsync(acme.Id)).ToArray().Length);
            Assert.True(((FileDeletionResult)await Sdk(http, AcmeKey).DeleteFileAsync(acme.Id)).Deleted);
        }

        await api.DisposeAsync();
    }
}
