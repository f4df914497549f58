using System.Formats.Tar;
using Berth.Contracts;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Berth.ServiceDefaults.Payloads;
using Docker.DotNet.Models;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// A session's first call that makes its container from a kept workspace (a container made again
/// after it expired), on the test harness with the real Docker engine and a payload store in a
/// directory of the test's own.
/// </summary>
public sealed class RestoringCallTests(DockerFixture docker) : IClassFixture<DockerFixture>, IAsyncDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("berth-restoring-").FullName;
    private readonly string _executorId = $"test-restoring-{Guid.NewGuid().ToString("N")[..8]}";

    private ServiceProvider Provider() => ExecutorHarness.Provider(_executorId, o => o.WarmContainers = 0, services => services
        .AddSingleton(new PayloadStore(new FileSystemPayloadRepository(_store, TimeProvider.System), Options.Create(new PayloadOptions()), NullLogger<PayloadStore>.Instance))
        .AddSingleton<ContainerFiles>()
        .AddSingleton<ContainerSeeds>()
        .AddSingleton<ContainerSkills>()
        .AddSingleton<WorkspaceSnapshots>()
        .AddSingleton<NewContainerSetup>());

    /// <summary>A kept workspace of one file, as the payload store holds it.</summary>
    private static async Task<Uri> KeptWorkspaceAsync(ServiceProvider provider)
    {
        var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "notes.txt") { DataStream = new MemoryStream("kept\n"u8.ToArray()) });
        }

        archive.Position = 0;
        return await provider.GetRequiredService<PayloadStore>().KeepAsync(archive, CancellationToken.None);
    }

    private static ToolCallRequested Call(Guid sessionId, string callId, Uri restoreFrom, params ContainerSkillSeed[] skills) => new()
    {
        SessionId = sessionId,
        ResponseId = "resp_restoring",
        CallId = callId,
        Commands = ["cat notes.txt"],
        RestoreFrom = restoreFrom,
        IdleMinutes = 3,
        Skills = skills,
    };

    private static async Task<ToolCallCompleted> RunAsync(ITestHarness harness, ToolCallRequested call)
    {
        await (await harness.Bus.GetSendEndpoint(Endpoints.Executors)).Send(call, TestContext.Current.CancellationToken);
        Assert.True(await harness.Published.Any<ToolCallCompleted>(m => m.Context.Message.CallId == call.CallId, TestContext.Current.CancellationToken));
        return harness.Published.Select<ToolCallCompleted>(m => m.Context.Message.CallId == call.CallId).First().Context.Message;
    }

    [Fact]
    public async Task Should_make_the_container_with_the_kept_files_and_the_idle_limit_it_was_asked_for_when_a_call_restores_a_workspace()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        await using var provider = Provider();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var completed = await RunAsync(harness, Call(Guid.NewGuid(), "restored", await KeptWorkspaceAsync(provider)));

        Assert.Null(completed.Error);
        Assert.Equal("kept\n", completed.Outputs.Single().Stdout);
        Assert.Equal(3, completed.IdleMinutes);
        await harness.Stop();
    }

    [Fact]
    public async Task Should_remove_the_new_container_and_keep_the_workspace_for_the_next_call_when_a_skill_it_is_made_with_is_gone()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        await using var provider = Provider();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var sessionId = Guid.NewGuid();
        var gone = new ContainerSkillSeed("lint", "Checks style", new Uri("urn:berth-payload:gone"));

        var failed = await RunAsync(harness, Call(sessionId, "skill-gone", await KeptWorkspaceAsync(provider), gone));

        // Not made without its skill: the session has no container, so its next call restores the workspace again.
        Assert.Equal(ErrorCodes.PayloadUnavailable, failed.ErrorCode);
        Assert.Null(failed.ContainerId);
        Assert.Null(await provider.GetRequiredService<DockerSandbox>().FindOwnContainerAsync(sessionId, TestContext.Current.CancellationToken));
        await harness.Stop();
    }

    [Fact]
    public async Task Should_make_the_container_with_the_skills_archived_with_its_workspace_when_their_bundles_are_gone()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        await using var provider = Provider();
        var token = TestContext.Current.CancellationToken;
        var payloads = provider.GetRequiredService<PayloadStore>();
        var sandbox = provider.GetRequiredService<DockerSandbox>();
        var snapshots = provider.GetRequiredService<WorkspaceSnapshots>();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        // A container made with a skill, whose workspace and skills are kept; then its bundle goes.
        using var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        await using (var manifest = await archive.CreateEntry("SKILL.md").OpenAsync(token))
        {
            await manifest.WriteAsync("Check the style.\n"u8.ToArray(), token);
        }

        zip.Position = 0;
        var skill = new ContainerSkillSeed("lint", "Checks style", await payloads.PutAsync(zip, token));
        var source = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token);
        await provider.GetRequiredService<ContainerSkills>().InstallAsync(source, [skill], token);
        await sandbox.RunAsync(source, "echo kept > notes.txt", 10_000, 1_000, token);
        var kept = await snapshots.TakeAsync(source, long.MaxValue, token, withSkills: true);
        var bare = await snapshots.TakeAsync(await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token), long.MaxValue, token, withSkills: true);
        await payloads.DeleteAsync(skill.ContentAddress);

        var call = Call(Guid.NewGuid(), "skills-kept", kept.Address, skill) with
        {
            Commands = ["cat notes.txt /mnt/skills/lint/SKILL.md; touch /mnt/skills/lint/new 2>/dev/null; echo exit=$?; stat -c '%U %a' /mnt/skills/lint/SKILL.md"],
            RestoreSkillsFrom = kept.Skills,
        };
        var completed = await RunAsync(harness, call);

        Assert.NotNull(kept.Skills);
        Assert.Null(bare.Skills);
        Assert.Null(completed.Error);
        Assert.Equal("kept\nCheck the style.\nexit=1\nroot 644\n", completed.Outputs.Single().Stdout);
        await harness.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        using var client = DockerFixture.CreateClient();
        foreach (var c in await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"berth.executor={_executorId}"] = true } },
        }))
        {
            await client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true });
        }

        Directory.Delete(_store, recursive: true);
    }
}
