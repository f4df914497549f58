using Berth.ServiceDefaults;

namespace Berth.UnitTests.Defaults;

public sealed class SafeCommandTests
{
    [Theory]
    [InlineData("export OPENAI_API_KEY=sk-proj-abc123def456; python run.py", "export OPENAI_API_KEY=[redacted]; python run.py")]
    [InlineData("GITHUB_TOKEN=ghp_0123456789abcdef git push", "GITHUB_TOKEN=[redacted] git push")]
    [InlineData("db_password=hunter2hunter2 && psql", "db_password=[redacted] && psql")]
    [InlineData("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc' https://x", "curl -H 'Authorization: [redacted]' https://x")]
    [InlineData("echo sk-live-0123456789abcdef | tee key.txt", "echo [redacted] | tee key.txt")]
    [InlineData("echo whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw > secret", "echo [redacted] > secret")]
    [InlineData("aws s3 ls # AKIAIOSFODNN7EXAMPLE", "aws s3 ls # [redacted]")]
    [InlineData("ls -la /mnt/data", "ls -la /mnt/data")]
    public void Should_redact_what_looks_like_a_secret_when_a_command_is_recorded(string command, string recorded) =>
        Assert.Equal(recorded, BerthTelemetry.SafeCommand(command));

    [Fact]
    public void Should_cut_a_long_command_when_it_is_recorded()
    {
        var recorded = BerthTelemetry.SafeCommand(new string('x', 1000));

        Assert.Equal(BerthTelemetry.MaxCommandChars + 1, recorded.Length);
        Assert.EndsWith("…", recorded, StringComparison.Ordinal);
    }
}
