using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// The executor's start-up check of each image the operator lists, on the real Docker engine:
/// an image of the test's own, made from the sandbox image with one program taken out, and one
/// that is not on the engine.
/// </summary>
public sealed class ImageCheckTests(DockerFixture docker) : SandboxTestBase(docker, "images"), IClassFixture<DockerFixture>
{
    private readonly string _lacking = $"berth-test-lacking-{Guid.NewGuid().ToString("N")[..8]}:latest";

    private ImageCheck Check(CommandMode mode = CommandMode.Shell) => new(Docker.Client, Options.Create(new ExecutorOptions
    {
        InstanceId = ExecutorId,
        Image = DockerFixture.SandboxImage,
        CommandMode = mode,
    }));

    /// <summary>The sandbox image without <paramref name="programs"/>, committed as an image of this test's own.</summary>
    private async Task<string> ImageWithoutAsync(params string[] programs)
    {
        var token = TestContext.Current.CancellationToken;
        var made = await Docker.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerFixture.SandboxImage,
            User = "root",
            Cmd = ["rm", "-f", .. programs],
            NetworkDisabled = true,
            Labels = new Dictionary<string, string> { [DockerSandbox.ExecutorLabel] = ExecutorId },
        }, token);
        await Docker.Client.Containers.StartContainerAsync(made.ID, new ContainerStartParameters(), token);
        Assert.Equal(0, (await Docker.Client.Containers.WaitContainerAsync(made.ID, token)).StatusCode);
        await Docker.Client.Images.CommitContainerChangesAsync(new CommitContainerChangesParameters { ContainerID = made.ID, RepositoryName = _lacking.Split(':')[0], Tag = "latest" }, token);
        return _lacking;
    }

    public override async ValueTask DisposeAsync()
    {
        if (Docker.UnavailableReason is null)
        {
            await Docker.RemoveContainersOfAsync(ExecutorId);
            try
            {
                await Docker.Client.Images.DeleteImageAsync(_lacking, new ImageDeleteParameters { Force = true });
            }
            catch (Docker.DotNet.DockerApiException)
            {
                // Never made: the test stopped before.
            }
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Should_pass_the_sandbox_image_and_leave_no_container_behind()
    {
        Assert.Null((await Check().CheckAsync(DockerFixture.SandboxImage, TestContext.Current.CancellationToken)).Problem);

        var left = await Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerSandbox.ExecutorLabel}={ExecutorId}"] = true } },
        }, TestContext.Current.CancellationToken);
        Assert.Empty(left);
    }

    [Fact]
    public async Task Should_name_an_image_that_is_not_on_the_engine()
    {
        var problem = (await Check().CheckAsync("berth-test-never-built:none", TestContext.Current.CancellationToken)).Problem;

        Assert.Equal("berth-test-never-built:none is not on this executor's Docker engine", problem);
    }

    [Fact]
    public async Task Should_name_the_programs_an_image_lacks_whatever_the_command_mode()
    {
        var image = await ImageWithoutAsync("/usr/bin/bash", "/bin/bash", "/usr/bin/base64", "/usr/bin/stat");

        Assert.Equal(($"{image} lacks stat base64", true), await Check(CommandMode.Shell).CheckAsync(image, TestContext.Current.CancellationToken));
        Assert.Equal(($"{image} lacks stat base64", true), await Check(CommandMode.Exec).CheckAsync(image, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Should_serve_an_image_without_bash_with_an_exec_per_command_when_the_executor_runs_a_persistent_shell()
    {
        var token = TestContext.Current.CancellationToken;
        var image = await ImageWithoutAsync("/usr/bin/bash", "/bin/bash");
        Assert.Equal(((string?)null, true), await Check(CommandMode.Shell).CheckAsync(image, token));

        var settings = new ExecutorOptions { InstanceId = ExecutorId, Image = DockerFixture.SandboxImage, WarmContainers = 0, CommandMode = CommandMode.Shell };
        var served = new ServedImages(Options.Create(settings));
        served.Serve("nobash", image, 0, withoutBash: true);
        var sandbox = DockerSandbox.Create(Docker.Client, settings, images: served);
        var container = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token, image: "nobash");

        var first = await sandbox.RunAsync(container, "echo hi; command -v bash || echo no bash; exit 3", 10_000, 1_000, token);
        var second = await sandbox.RunAsync(container, "echo again", 10_000, 1_000, token);

        Assert.Equal(("hi\nno bash\n", 3), (first.Stdout, first.ExitCode));
        Assert.Equal("again\n", second.Stdout);
    }
}
