using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>/v1/skills</c> through the real stack, as the SDKs call it: a skill made from a folder's
/// files, a version from a zip, defaults, content and deletes; and hostile bundles refused
/// with nothing kept.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class SkillsApiTests
{
    private const string Manifest = "---\nname: csv-tools\ndescription: Reads and cleans CSV files.\n---\n# CSV tools\nRun scripts/clean.py.\n";

    private readonly BerthStack _stack;

    public SkillsApiTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    private static MultipartFormDataContent Form(IEnumerable<(string Path, byte[] Bytes)> files, bool? makeDefault = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (path, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files[]", path);
        }

        if (makeDefault is { } value)
        {
            form.Add(new StringContent(value ? "true" : "false"), "default");
        }

        return form;
    }

    private static byte[] Zip(params (string Path, string Text, int Mode)[] entries)
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, text, mode) in entries)
            {
                var entry = archive.CreateEntry(path);
                if (mode != 0)
                {
                    entry.ExternalAttributes = mode << 16;
                }

                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        return zip.ToArray();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await _stack.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private int KeptPayloads() =>
        Directory.Exists(Path.Combine(_stack.PayloadDirectory, "kept")) ? Directory.GetFiles(Path.Combine(_stack.PayloadDirectory, "kept")).Length : 0;

    [Fact]
    public async Task Should_make_a_skill_from_a_folder_add_a_version_from_a_zip_and_move_its_default()
    {
        var (created, skill) = await SendAsync(HttpMethod.Post, "skills", Form([("csv-tools/SKILL.md", Encoding.UTF8.GetBytes(Manifest)), ("csv-tools/scripts/clean.py", "print('clean')"u8.ToArray())]));
        Assert.Equal(HttpStatusCode.OK, created);
        var id = skill.GetProperty("id").GetString()!;
        Assert.Equal(("skill", "csv-tools", "1", "1"), (skill.GetProperty("object").GetString(), skill.GetProperty("name").GetString(),
            skill.GetProperty("default_version").GetString(), skill.GetProperty("latest_version").GetString()));

        var second = Zip(("SKILL.md", Manifest.Replace("Reads and cleans", "Cleans", StringComparison.Ordinal), 0), ("scripts/clean.py", "print('cleaner')", 0));
        var (added, version) = await SendAsync(HttpMethod.Post, $"skills/{id}/versions", Form([("csv-tools.zip", second)], makeDefault: true));
        Assert.Equal((HttpStatusCode.OK, "skill.version", "2", id), (added, version.GetProperty("object").GetString(), version.GetProperty("version").GetString(), version.GetProperty("skill_id").GetString()));

        var (_, now) = await SendAsync(HttpMethod.Get, $"skills/{id}");
        Assert.Equal(("2", "2", "Cleans CSV files."), (now.GetProperty("default_version").GetString(), now.GetProperty("latest_version").GetString(), now.GetProperty("description").GetString()));
        var (_, versions) = await SendAsync(HttpMethod.Get, $"skills/{id}/versions?order=asc");
        Assert.Equal(["1", "2"], versions.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        var (_, listed) = await SendAsync(HttpMethod.Get, "skills?limit=100");
        Assert.Contains(id, listed.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        using (var first = await _stack.Http.GetAsync($"skills/{id}/versions/1/content"))
        {
            using var archive = new ZipArchive(new MemoryStream(await first.Content.ReadAsByteArrayAsync()));
            Assert.Equal(["SKILL.md", "scripts/clean.py"], archive.Entries.Select(e => e.FullName));
            using var script = new StreamReader(archive.GetEntry("scripts/clean.py")!.Open());
            Assert.Equal("print('clean')", await script.ReadToEndAsync());
        }

        var (moved, back) = await SendAsync(HttpMethod.Post, $"skills/{id}", new StringContent("""{"default_version": "1"}""", Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.OK, "1"), (moved, back.GetProperty("default_version").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, $"skills/{id}", new StringContent("""{"default_version": "9"}""", Encoding.UTF8, "application/json"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Delete, $"skills/{id}/versions/1")).Status);
        var (removed, gone) = await SendAsync(HttpMethod.Delete, $"skills/{id}/versions/2");
        Assert.Equal((HttpStatusCode.OK, "skill.version.deleted"), (removed, gone.GetProperty("object").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"skills/{id}/versions/2")).Status);

        var kept = KeptPayloads();
        var (deleted, deletion) = await SendAsync(HttpMethod.Delete, $"skills/{id}");
        Assert.Equal((HttpStatusCode.OK, true), (deleted, deletion.GetProperty("deleted").GetBoolean()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"skills/{id}")).Status);
        Assert.Equal(kept - 1, KeptPayloads());
    }

    [Fact]
    public async Task Should_refuse_hostile_bundles_by_name_and_keep_none_of_them()
    {
        var kept = KeptPayloads();
        var gigabyte = Zip(("SKILL.md", Manifest, 0), ("big.bin", "small", 0));
        var central = gigabyte.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        BitConverter.TryWriteBytes(gigabyte.AsSpan(central + 24, 4), 1u << 30);
        (string Name, byte[] Zip)[] hostile =
        [
            ("zip slip", Zip(("SKILL.md", Manifest, 0), ("../../etc/cron.d/evil", "* * * * * root sh", 0))),
            ("symbolic link", Zip(("SKILL.md", Manifest, 0), ("shadow", "/etc/shadow", 0xA1FF))),
            ("ten thousand entries", Zip([("SKILL.md", Manifest, 0), .. Enumerable.Range(0, 10_000).Select(i => ($"f{i}", "", 0))])),
            ("a gigabyte declared", gigabyte),
            ("no SKILL.md", Zip(("README.md", "hi", 0))),
            ("not a zip", "PK but not really"u8.ToArray()),
        ];

        foreach (var (name, zip) in hostile)
        {
            var (status, body) = await SendAsync(HttpMethod.Post, "skills", Form([("skill.zip", zip)]));
            Assert.True(status == HttpStatusCode.BadRequest, $"{name}: {status}");
            Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        }

        var (absolute, _) = await SendAsync(HttpMethod.Post, "skills", Form([("SKILL.md", Encoding.UTF8.GetBytes(Manifest)), ("/etc/passwd", "x"u8.ToArray())]));
        Assert.Equal(HttpStatusCode.BadRequest, absolute);
        Assert.Equal(kept, KeptPayloads());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "skills/skill_..%2F..%2Fx")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "skills/skill_00000000000000000000000000000000/versions/0")).Status);
    }

    [Fact]
    public async Task Should_unpack_referenced_and_inline_skills_read_only_in_the_sessions_container_and_tell_the_model()
    {
        var (_, skill) = await SendAsync(HttpMethod.Post, "skills", Form([("csv-tools/SKILL.md", Encoding.UTF8.GetBytes(Manifest)), ("csv-tools/scripts/clean.py", "print('clean')"u8.ToArray())]));
        var inline = Convert.ToBase64String(Zip(("notes/SKILL.md", "---\nname: notes\ndescription: from the zip\n---\nTake notes.\n", 0)));
        var marker = Guid.NewGuid().ToString("N")[..12];
        object Environment(params object[] skills) => new { type = "container_auto", skills };
        object Reference() => new { type = "skill_reference", skill_id = skill.GetProperty("id").GetString() };
        object Inline(string data) => new { type = "inline", name = "notes", description = "Takes notes.", source = new { type = "base64", media_type = "application/zip", data } };
        string Request(string input, object environment, string? previous = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = BerthStack.ScriptedModelName,
            ["input"] = input,
            ["tools"] = new[] { new { type = "shell", environment } },
            ["previous_response_id"] = previous,
        }.Where(p => p.Value is not null).ToDictionary());
        var api = new ResponsesApi(_stack);

        var (status, first) = await api.PostRawAsync(Request(string.Join("\n",
            $"echo {marker}; cat /mnt/skills/csv-tools/SKILL.md",
            "cat /mnt/skills/notes/SKILL.md",
            "touch /mnt/skills/csv-tools/new 2>/dev/null; echo exit=$?",
            "stat -c '%U %a %n' /mnt/skills /mnt/skills/csv-tools/scripts/clean.py"), Environment(Reference(), Inline(inline))));

        Assert.Equal((HttpStatusCode.OK, "completed"), (status, first.Status()));
        var outputs = first.CommandOutputs().Select(o => o.GetProperty("stdout").GetString()).ToList();
        Assert.Equal($"{marker}\n{Manifest}", outputs[0]);
        Assert.Contains("Take notes.", outputs[1], StringComparison.Ordinal);
        Assert.Equal("exit=1\n", outputs[2]);
        Assert.Equal("root 755 /mnt/skills\nroot 644 /mnt/skills/csv-tools/scripts/clean.py\n", outputs[3]);
        var offered = _stack.Model.Requests.First(r => r.Raw.GetRawText().Contains(marker, StringComparison.Ordinal)).Raw.GetProperty("tools")[0].GetProperty("function").GetProperty("description").GetString();
        Assert.Contains("- csv-tools at /mnt/skills/csv-tools: Reads and cleans CSV files.", offered, StringComparison.Ordinal);
        Assert.Contains("- notes at /mnt/skills/notes: Takes notes.", offered, StringComparison.Ordinal);

        // The container keeps its skills along the chain; a continuation may not ask for others.
        var kept = await api.CreateAsync(JsonSerializer.Deserialize<JsonElement>(Request("ls /mnt/skills", Environment(), first.Id())));
        Assert.Equal("csv-tools\nnotes\n", kept.CommandOutputs().Single().GetProperty("stdout").GetString());
        var (changed, refusal) = await api.PostRawAsync(Request("ls", Environment(Reference()), first.Id()));
        Assert.Equal((HttpStatusCode.BadRequest, "tools"), (changed, refusal.GetProperty("error").GetProperty("param").GetString()));

        var slip = Convert.ToBase64String(Zip(("SKILL.md", "---\nname: x\ndescription: y\n---\n", 0), ("../../etc/evil", "x", 0)));
        var (hostile, why) = await api.PostRawAsync(Request("ls", Environment(Inline(slip))));
        Assert.Equal((HttpStatusCode.BadRequest, "tools[0].environment.skills[0]"), (hostile, why.GetProperty("error").GetProperty("param").GetString()));
        var (unknown, _) = await api.PostRawAsync(Request("ls", Environment(new { type = "skill_reference", skill_id = "skill_00000000000000000000000000000000" })));
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
    }

    [Fact]
    public async Task Should_make_a_container_with_a_skill_for_responses_that_refer_to_it()
    {
        var (_, skill) = await SendAsync(HttpMethod.Post, "skills", Form([("csv-tools/SKILL.md", Encoding.UTF8.GetBytes(Manifest))]));
        var body = JsonSerializer.Serialize(new { name = "with-skill", skills = new[] { new { type = "skill_reference", skill_id = skill.GetProperty("id").GetString() } } });
        var (made, container) = await SendAsync(HttpMethod.Post, "containers", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, made);

        var marker = Guid.NewGuid().ToString("N")[..12];
        var response = await new ResponsesApi(_stack).CreateAsync(new
        {
            model = BerthStack.ScriptedModelName,
            input = $"cat /mnt/skills/csv-tools/SKILL.md # {marker}",
            tools = new[] { new { type = "shell", environment = new { type = "container_reference", container_id = container.GetProperty("id").GetString() } } },
        });

        Assert.Equal(Manifest, response.CommandOutputs().Single().GetProperty("stdout").GetString());

        // The model is told of the container's skills as of a session's own.
        var offered = _stack.Model.Requests.First(r => r.Raw.GetRawText().Contains(marker, StringComparison.Ordinal)).Raw.GetProperty("tools")[0].GetProperty("function").GetProperty("description").GetString();
        Assert.Contains("- csv-tools at /mnt/skills/csv-tools: Reads and cleans CSV files.", offered, StringComparison.Ordinal);
        var unknown = JsonSerializer.Serialize(new { name = "x", skills = new[] { new { type = "skill_reference", skill_id = "skill_00000000000000000000000000000000" } } });
        var (refused, refusal) = await SendAsync(HttpMethod.Post, "containers", new StringContent(unknown, Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.BadRequest, "skills[0]"), (refused, refusal.GetProperty("error").GetProperty("param").GetString()));
        await SendAsync(HttpMethod.Delete, $"containers/{container.GetProperty("id").GetString()}");
    }

    [Theory]
    [InlineData("files")]
    [InlineData("skills")]
    public async Task Should_answer_400_when_a_part_names_a_filename_star_without_a_value(string route)
    {
        // The framework's header reader throws on this; the fuzz test found it as a 500.
        var body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename*\r\n\r\nx\r\n--b--\r\n";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        var (status, refusal) = await SendAsync(HttpMethod.Post, route, content);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (status, refusal.GetProperty("error").GetProperty("type").GetString()));
    }
}
