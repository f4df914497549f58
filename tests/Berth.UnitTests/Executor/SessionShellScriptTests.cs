using System.Diagnostics;
using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

/// <summary>The persistent shell's program, <c>session-shell.sh</c>, as it is embedded in the executor and sent to a container.</summary>
public sealed class SessionShellScriptTests
{
    private static string Script()
    {
        using var resource = typeof(ShellCommandRunner).Assembly.GetManifestResourceStream("Berth.Executor.Sandbox.session-shell.sh")!;
        return new StreamReader(resource).ReadToEnd();
    }

    [Fact]
    public void Should_send_the_program_without_its_comment_lines()
    {
        var driver = ShellCommandRunner.Driver;

        Assert.StartsWith("exec 3>&2 2>/dev/null\n", driver, StringComparison.Ordinal);
        Assert.EndsWith("\ndone", driver, StringComparison.Ordinal);
        Assert.DoesNotContain(driver.Split('\n'), line => line.TrimStart().StartsWith('#'));
        Assert.Contains("# bash, for its job control", Script(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_pass_shellcheck()
    {
        // ./berth setup installs shellcheck (Debian's package); without it there is nothing to run.
        Assert.SkipWhen(!File.Exists("/usr/bin/shellcheck"), "shellcheck is not installed (./berth setup installs it)");
        var path = Path.Combine(Path.GetTempPath(), $"session-shell-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(path, Script(), TestContext.Current.CancellationToken);
        try
        {
            using var check = Process.Start(new ProcessStartInfo("/usr/bin/shellcheck", ["--shell=bash", "--severity=style", path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var said = await check.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await check.WaitForExitAsync(TestContext.Current.CancellationToken);

            Assert.True(check.ExitCode == 0, $"shellcheck found problems in session-shell.sh:\n{said}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
