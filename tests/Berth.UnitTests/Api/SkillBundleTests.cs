using System.IO.Compression;
using System.Text;
using Berth.Api.Skills;

namespace Berth.UnitTests.Api;

/// <summary>Skill bundles as the untrusted input they are: paths, links, sizes, counts, and the SKILL.md a skill needs.</summary>
public sealed class SkillBundleTests
{
    private const string Manifest = "---\nname: csv-tools\ndescription: Reads and cleans CSV files.\n---\n# CSV tools\nUse clean.py.\n";

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

    [Fact]
    public void Should_read_the_name_and_description_and_take_off_the_folder_the_files_share()
    {
        var (bundle, problem) = SkillBundle.Check(new Dictionary<string, byte[]>
        {
            ["csv-tools/SKILL.md"] = Encoding.UTF8.GetBytes(Manifest),
            ["csv-tools/scripts/clean.py"] = "print(1)"u8.ToArray(),
        });

        Assert.Null(problem);
        Assert.Equal(("csv-tools", "Reads and cleans CSV files."), (bundle!.Name, bundle.Description));
        using var archive = new ZipArchive(new MemoryStream(bundle.Zip));
        Assert.Equal(["SKILL.md", "scripts/clean.py"], archive.Entries.Select(e => e.FullName));
    }

    [Theory]
    [InlineData("# no front matter", "front matter")]
    [InlineData("---\nname: csv-tools\n---\n", "description")]
    [InlineData("---\nname: CSV Tools!\ndescription: x\n---\n", "'name'")]
    [InlineData("---\nname: csv-tools\ndescription: x\n", "front matter")]
    public void Should_refuse_a_SKILL_md_without_a_name_and_description(string manifest, string said)
    {
        var (_, problem) = SkillBundle.Check(new Dictionary<string, byte[]> { ["SKILL.md"] = Encoding.UTF8.GetBytes(manifest) });

        Assert.Contains(said, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_bundle_without_a_SKILL_md_at_its_top()
    {
        Assert.Contains("SKILL.md", SkillBundle.Check(new Dictionary<string, byte[]> { ["docs/SKILL.md"] = Encoding.UTF8.GetBytes(Manifest), ["x.py"] = [] }).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil.sh")]
    [InlineData("skill/../../evil.sh")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("./SKILL.md")]
    [InlineData("a\\..\\b")]
    [InlineData("a\u0000b")]
    [InlineData("")]
    public void Should_refuse_a_path_that_leads_outside_the_folder_or_is_not_plain(string path) => Assert.NotNull(SkillBundle.PathProblem(path));

    [Fact]
    public void Should_refuse_a_path_longer_than_the_limit()
    {
        Assert.NotNull(SkillBundle.PathProblem(new string('a', SkillBundle.MaxPathLength + 1)));
        Assert.Null(SkillBundle.PathProblem(new string('a', SkillBundle.MaxPathLength)));
    }

    [Fact]
    public async Task Should_refuse_a_zip_slip_entry()
    {
        var (files, problem) = await SkillBundle.UnzipAsync(Zip(("SKILL.md", Manifest, 0), ("../../etc/cron.d/evil", "x", 0)), 1 << 20, CancellationToken.None);

        Assert.Null(files);
        Assert.Contains("outside", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_symbolic_link_in_a_zip()
    {
        var (files, problem) = await SkillBundle.UnzipAsync(Zip(("SKILL.md", Manifest, 0), ("secrets", "/etc/shadow", 0xA1FF)), 1 << 20, CancellationToken.None);

        Assert.Null(files);
        Assert.Contains("symbolic link", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_ten_thousand_entries_before_reading_them()
    {
        var entries = Enumerable.Range(0, 10_000).Select(i => ($"f{i}.txt", "", 0)).Prepend(("SKILL.md", Manifest, 0)).ToArray();

        var (files, problem) = await SkillBundle.UnzipAsync(Zip(entries), 1 << 20, CancellationToken.None);

        Assert.Null(files);
        Assert.Contains("at most", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_zip_that_declares_a_gigabyte()
    {
        var zip = Zip(("SKILL.md", Manifest, 0), ("big.bin", "small", 0));

        // The central directory's record of the last entry: its uncompressed size, 24 bytes in, said to be 1 GiB.
        var central = zip.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        BitConverter.TryWriteBytes(zip.AsSpan(central + 24, 4), 1u << 30);

        var (files, problem) = await SkillBundle.UnzipAsync(zip, 25 << 20, CancellationToken.None);

        Assert.Null(files);
        Assert.Contains("larger than", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_read_no_more_of_an_entry_than_it_declares_so_a_small_declared_bomb_stays_small()
    {
        var zip = Zip(("SKILL.md", Manifest, 0), ("bomb.bin", new string('0', 3 << 20), 0));

        // Three megabytes of zeros, said to be five bytes.
        var central = zip.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        BitConverter.TryWriteBytes(zip.AsSpan(central + 24, 4), 5u);

        var (files, problem) = await SkillBundle.UnzipAsync(zip, 1 << 20, CancellationToken.None);

        // Either refused, or read as far as it declares and no further: never three megabytes.
        Assert.True(files is null ? problem is not null : files["bomb.bin"].Length <= 5, $"read {files?["bomb.bin"].Length} bytes");
    }
}
