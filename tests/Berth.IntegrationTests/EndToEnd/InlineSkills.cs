using System.IO.Compression;
using Berth.IntegrationTests.Fixtures;
using Berth.ServiceDefaults.Payloads;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>A skill sent inline (a zip in the request), whose bundle lives only as long as payloads in flight.</summary>
internal static class InlineSkills
{
    /// <summary>The skill <c>notes</c>: its <c>/mnt/skills/notes/SKILL.md</c> says "Take notes.".</summary>
    public static readonly object Notes = new
    {
        type = "inline",
        name = "notes",
        description = "Takes notes.",
        source = new { type = "base64", media_type = "application/zip", data = Convert.ToBase64String(NotesZip()) },
    };

    /// <summary>
    /// Deletes every payload of the stack with a time to live, as a day passing would: the inline
    /// skills' bundles (30 minutes) go, a kept workspace or a fork's files (days) stay.
    /// </summary>
    public static Task OutliveBundlesAsync(BerthStack stack) =>
        new FileSystemPayloadRepository(stack.PayloadDirectory, TimeProvider.System).DeleteExpiredAsync(DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

    private static byte[] NotesZip()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        using (var manifest = archive.CreateEntry("notes/SKILL.md").Open())
        {
            manifest.Write("---\nname: notes\ndescription: Takes notes.\n---\nTake notes.\n"u8);
        }

        return zip.ToArray();
    }
}
