using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Berth.Api.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Berth.Api.Skills;

/// <summary>
/// A skill's files as uploaded (a folder's files, each part named by its path, or one zip), and
/// checked as the untrusted input they are: at most <see cref="MaxEntries"/> files and the
/// bundle cap in all, counted as the bytes are read, whatever a zip declares; every path plain
/// and inside the skill's folder (no <c>..</c>, no absolute path, no symbolic link); and a
/// <c>SKILL.md</c> whose front matter gives <c>name</c> and <c>description</c>. A folder the
/// files all share is taken off, so <c>my-skill/SKILL.md</c> is the skill's <c>SKILL.md</c>.
/// </summary>
internal static partial class SkillBundle
{
    public const int MaxEntries = 500;
    public const int MaxPathLength = 255;
    public const int MaxDescriptionLength = 1024;

    public sealed record Checked(string Name, string Description, byte[] Zip, long Bytes)
    {
        /// <summary>A new version's form may say <c>default=true</c>.</summary>
        public bool MakeDefault { get; init; }
    }

    /// <summary>The bundle, or why it is refused. A form for a new version may carry the field <c>default</c>.</summary>
    public static async Task<(Checked? Bundle, string? Problem)> ReadAsync(HttpRequest http, long cap, bool takesDefault, CancellationToken cancellationToken)
    {
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = cap + 64 * 1024;
        }

        if (!MediaTypeHeaderValue.TryParse(http.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return (null, "Upload the skill as multipart/form-data: its files as 'files', each named by its path, or one zip.");
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long total = 0;
        bool? makeDefault = null;
        var reader = new MultipartReader(boundary, http.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
        try
        {
            for (var section = await reader.ReadNextSectionAsync(cancellationToken); section is not null; section = await reader.ReadNextSectionAsync(cancellationToken))
            {
                if (FormPart.Read(section.ContentDisposition) is not { } part)
                {
                    return (null, "Every part of the form needs a Content-Disposition of form-data with a name.");
                }

                if (takesDefault && makeDefault is null && part is { Name: "default", IsFile: false })
                {
                    var value = await ReadCappedAsync(section.Body, 8, cancellationToken);
                    makeDefault = value is null ? null : Encoding.ASCII.GetString(value) switch { "true" => true, "false" => false, _ => null };
                    if (makeDefault is null)
                    {
                        return (null, "Invalid 'default': 'true' or 'false'.");
                    }

                    continue;
                }

                if (part is not { Name: "files" or "files[]", FileName: { } path })
                {
                    return (null, takesDefault ? "Every part of the form must be a file named 'files', or the field 'default'." : "Every part of the form must be a file named 'files'.");
                }

                if (files.Count >= MaxEntries)
                {
                    return (null, $"A skill has at most {MaxEntries} files.");
                }

                var bytes = await ReadCappedAsync(section.Body, cap - total, cancellationToken);
                if (bytes is null)
                {
                    return (null, $"The skill is larger than {cap} bytes.");
                }

                total += bytes.Length;
                if (PathProblem(path) is { } problem)
                {
                    return (null, problem);
                }

                if (!files.TryAdd(path, bytes))
                {
                    return (null, $"'{Shown(path)}' is given twice.");
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException)
        {
            return (null, $"The multipart body could not be read: {e.Message}");
        }

        if (files.Count == 1 && files.Keys.Single().EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var (unzipped, problem) = await UnzipAsync(files.Values.Single(), cap, cancellationToken);
            if (unzipped is null)
            {
                return (null, problem);
            }

            files = unzipped;
        }

        var (bundle, refusal) = Check(files);
        return (bundle is null ? null : bundle with { MakeDefault = makeDefault ?? false }, refusal);
    }

    /// <summary>The zip's files, read no further than the caps allow; symbolic links and paths outside the folder refused.</summary>
    public static async Task<(Dictionary<string, byte[]>? Files, string? Problem)> UnzipAsync(byte[] zip, long cap, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxEntries * 2)
            {
                return (null, $"A skill has at most {MaxEntries} files; the zip holds {archive.Entries.Count} entries.");
            }

            if (archive.Entries.Sum(e => e.Length) > cap)
            {
                return (null, $"The skill is larger than {cap} bytes once unpacked.");
            }

            long total = 0;
            foreach (var entry in archive.Entries)
            {
                // A zip made on Unix keeps the file's mode in the high half of the external attributes.
                var mode = (entry.ExternalAttributes >> 16) & 0xF000;
                if (mode == 0xA000)
                {
                    return (null, $"'{Shown(entry.FullName)}' is a symbolic link; a skill holds plain files only.");
                }

                if (entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                if (PathProblem(entry.FullName) is { } problem)
                {
                    return (null, problem);
                }

                if (files.Count >= MaxEntries)
                {
                    return (null, $"A skill has at most {MaxEntries} files.");
                }

                await using var content = await entry.OpenAsync(cancellationToken);
                var bytes = await ReadCappedAsync(content, cap - total, cancellationToken);
                if (bytes is null)
                {
                    return (null, $"The skill is larger than {cap} bytes once unpacked.");
                }

                total += bytes.Length;
                if (!files.TryAdd(entry.FullName, bytes))
                {
                    return (null, $"'{Shown(entry.FullName)}' is in the zip twice.");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return (null, $"The zip could not be read: {e.Message}");
        }

        return (files, null);
    }

    /// <summary>The files under their folder's own paths, with a valid <c>SKILL.md</c>, as one zip.</summary>
    public static (Checked? Bundle, string? Problem) Check(Dictionary<string, byte[]> files)
    {
        if (files.Count == 0)
        {
            return (null, "Missing required parameter: 'files'.");
        }

        var first = files.Keys.Select(p => p.Split('/')).ToList();
        if (first.All(segments => segments.Length > 1) && first.Select(segments => segments[0]).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            files = files.ToDictionary(f => f.Key[(f.Key.IndexOf('/', StringComparison.Ordinal) + 1)..], f => f.Value, StringComparer.Ordinal);
        }

        if (!files.TryGetValue("SKILL.md", out var manifest))
        {
            return (null, "A skill needs a SKILL.md at the top of its folder.");
        }

        var (name, description, problem) = FrontMatter(manifest);
        if (problem is not null)
        {
            return (null, $"SKILL.md: {problem}");
        }

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var entry = archive.CreateEntry(path, CompressionLevel.Fastest);
                using var stream = entry.Open();
                stream.Write(bytes);
            }
        }

        return (new Checked(name!, description!, zip.ToArray(), files.Values.Sum(b => (long)b.Length)), null);
    }

    /// <summary>
    /// The <c>name</c> and <c>description</c> between the <c>---</c> lines that open the file: a
    /// name of lowercase letters, digits and hyphens (at most 64), and a description of at most
    /// <see cref="MaxDescriptionLength"/> characters.
    /// </summary>
    public static (string? Name, string? Description, string? Problem) FrontMatter(byte[] manifest)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(manifest);
        }
        catch (DecoderFallbackException)
        {
            return (null, null, "it is not UTF-8 text.");
        }

        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var end = Array.IndexOf(lines, "---", 1);
        if (lines.Length == 0 || lines[0] != "---" || end < 0)
        {
            return (null, null, "it must open with front matter: a line '---', 'name: …' and 'description: …', and '---'.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines[1..end])
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim().Trim('"', '\''));
            }
        }

        if (!fields.TryGetValue("name", out var name) || !SkillName().IsMatch(name))
        {
            return (null, null, "its front matter needs 'name': lowercase letters, digits and hyphens, at most 64.");
        }

        if (!fields.TryGetValue("description", out var description) || description.Length is 0 or > MaxDescriptionLength || description.Any(char.IsControl))
        {
            return (null, null, $"its front matter needs 'description': 1 to {MaxDescriptionLength} characters on one line.");
        }

        return (name, description, null);
    }

    /// <summary>Why a path cannot be a file of the skill's folder; null if it can.</summary>
    public static string? PathProblem(string path)
    {
        if (path.Length is 0 or > MaxPathLength || path.Any(char.IsControl) || path.Contains('\\', StringComparison.Ordinal))
        {
            return $"'{Shown(path)}' is no plain path: 1 to {MaxPathLength} characters, '/' between folders, no control characters or '\\'.";
        }

        return path.StartsWith('/') || path.Split('/').Any(segment => segment is "" or "." or "..")
            ? $"'{Shown(path)}' leads outside the skill's folder, or is not a plain path (no '/' at the start, no '.', '..' or empty folder names)."
            : null;
    }

    private static async Task<byte[]?> ReadCappedAsync(Stream content, long room, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > room)
            {
                return null;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return buffer.ToArray();
    }

    private static string Shown(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex SkillName();
}
