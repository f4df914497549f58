using System.Formats.Tar;
using Berth.Contracts;
using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

/// <summary>A snapshot's archive is untrusted input on restore: only plain files and directories under the workspace pass, within the limits.</summary>
public sealed class WorkspaceSnapshotArchiveTests
{
    private static async Task<MemoryStream> ArchiveAsync(params TarEntry[] entries)
    {
        var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                await writer.WriteEntryAsync(entry, TestContext.Current.CancellationToken);
            }
        }

        archive.Position = 0;
        return archive;
    }

    private static PaxTarEntry File(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };

    private static async Task<List<(string Name, TarEntryType Type, string? Content)>> CopiedAsync(Stream archive, long maxBytes = 1 << 20)
    {
        var copy = new MemoryStream();
        await WorkspaceSnapshots.CopySafelyAsync(archive, copy, maxBytes, TestContext.Current.CancellationToken);
        copy.Position = 0;
        var entries = new List<(string, TarEntryType, string?)>();
        await using var reader = new TarReader(copy);
        while (await reader.GetNextEntryAsync(copyData: true, TestContext.Current.CancellationToken) is { } entry)
        {
            entries.Add((entry.Name, entry.EntryType, entry.DataStream is { } data ? await new StreamReader(data).ReadToEndAsync(TestContext.Current.CancellationToken) : null));
        }

        return entries;
    }

    [Fact]
    public async Task Should_pass_plain_files_and_directories_with_their_content_and_without_a_leading_dot_slash()
    {
        var copied = await CopiedAsync(await ArchiveAsync(new PaxTarEntry(TarEntryType.Directory, "./notes/"), File("./notes/a.txt", "kept"), File("top.txt", "x")));

        Assert.Equal([("notes", TarEntryType.Directory, null), ("notes/a.txt", TarEntryType.RegularFile, "kept"), ("top.txt", TarEntryType.RegularFile, "x")], copied);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("notes/../../escape.txt")]
    [InlineData("/etc/cron.d/x")]
    [InlineData("./")]
    [InlineData("a//b")]
    [InlineData("a\\..\\b")]
    public async Task Should_refuse_the_whole_snapshot_when_an_entry_names_no_plain_path_under_the_workspace(string name)
    {
        var archive = await ArchiveAsync(File("fine.txt", "ok"), File(name, "bad"));

        var refused = await Assert.ThrowsAsync<FileOperationException>(() => CopiedAsync(archive));
        Assert.Equal(ErrorCodes.InvalidSnapshot, refused.Code);
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink)]
    [InlineData(TarEntryType.HardLink)]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.Fifo)]
    public async Task Should_refuse_the_whole_snapshot_when_an_entry_is_a_link_a_device_or_a_fifo(TarEntryType type)
    {
        var entry = new PaxTarEntry(type, "thing");
        if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink)
        {
            entry.LinkName = "/etc/passwd";
        }

        var refused = await Assert.ThrowsAsync<FileOperationException>(async () => await CopiedAsync(await ArchiveAsync(entry)));
        Assert.Equal(ErrorCodes.InvalidSnapshot, refused.Code);
        Assert.Contains(type.ToString(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_snapshot_whose_files_hold_more_than_the_cap()
    {
        var archive = await ArchiveAsync(File("a", new string('a', 600)), File("b", new string('b', 600)));

        var refused = await Assert.ThrowsAsync<FileOperationException>(() => CopiedAsync(archive, maxBytes: 1000));
        Assert.Equal(ErrorCodes.InvalidSnapshot, refused.Code);
    }

    [Fact]
    public async Task Should_refuse_bytes_that_are_no_tar_archive()
    {
        var garbage = new MemoryStream([.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);

        var refused = await Assert.ThrowsAsync<FileOperationException>(() => CopiedAsync(garbage));
        Assert.Equal(ErrorCodes.InvalidSnapshot, refused.Code);
    }
}
