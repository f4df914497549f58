using System.Formats.Tar;
using System.IO.Compression;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Unpacks the skills a session's container is made with into <c>/mnt/skills/&lt;name&gt;</c>,
/// before its first commands run. The directory is a tmpfs owned by root in every sandbox, warm
/// ones too, so the files go in through one exec as root (with the container's capabilities,
/// none): the sandbox user can read them and run their scripts, not change them. Each bundle
/// was checked when it was uploaded; its paths are checked again here, as it is written.
/// </summary>
internal sealed class ContainerSkills(ContainerFiles files, PayloadStore payloads)
{
    // tar from stdin, then files readable by all and writable by none but root.
    private const string Unpack =
        "set -e; rm -rf -- \"/mnt/skills/$1\"; tar -x --no-same-owner -C /mnt/skills; chmod -R go-w -- \"/mnt/skills/$1\"";

    public async Task InstallAsync(string containerId, IReadOnlyList<ContainerSkillSeed> skills, CancellationToken cancellationToken)
    {
        foreach (var skill in skills)
        {
            using var tar = await TarOfAsync(skill, cancellationToken);
            var (exitCode, _, stderr) = await files.ExecAsync(containerId, Unpack, skill.Name, tar, cancellationToken, user: "0");
            if (exitCode != 0)
            {
                throw new FileOperationException(ErrorCodes.SandboxError, $"Skill '{skill.Name}' could not be unpacked at {skill.Path} (exit {exitCode}): {stderr.Trim()}");
            }
        }
    }

    /// <summary>The skill's zip as a tar of plain files under its name.</summary>
    private async Task<MemoryStream> TarOfAsync(ContainerSkillSeed skill, CancellationToken cancellationToken)
    {
        var zip = new MemoryStream();
        try
        {
            await using var content = await payloads.OpenAsync(skill.ContentAddress, cancellationToken);
            await content.CopyToAsync(zip, cancellationToken);
        }
        catch (MessageDataNotFoundException)
        {
            throw new FileOperationException(ErrorCodes.PayloadUnavailable, $"Skill '{skill.Name}' was deleted before the session's container was made; it is not in {ContainerSkillSeed.SkillsDirectory}.");
        }

        zip.Position = 0;
        var tar = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Read))
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in archive.Entries.Where(e => !e.FullName.EndsWith('/')))
            {
                if (entry.FullName.StartsWith('/') || entry.FullName.Split('/').Any(segment => segment is "" or "." or ".."))
                {
                    throw new FileOperationException(ErrorCodes.InvalidPath, $"Skill '{skill.Name}' holds '{entry.FullName}', which is not a plain path inside it.");
                }

                // Readable by all, writable by root only; scripts run through their interpreter (python3 scripts/x.py).
                await using var data = await entry.OpenAsync(cancellationToken);
                var file = new PaxTarEntry(TarEntryType.RegularFile, $"{skill.Name}/{entry.FullName}")
                {
                    DataStream = data,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(file, cancellationToken);
            }
        }

        tar.Position = 0;
        return tar;
    }
}
