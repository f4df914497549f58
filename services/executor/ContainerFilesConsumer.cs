using Berth.Contracts;
using Berth.Executor.Sandbox;
using MassTransit;

namespace Berth.Executor;

/// <summary>The Containers API's file operations, on the executor that holds the container.</summary>
public sealed class ContainerFilesConsumer(DockerSandbox sandbox, ContainerFiles files)
    : IConsumer<PutContainerFile>, IConsumer<GetContainerFile>, IConsumer<ListContainerFiles>, IConsumer<DeleteContainerFile>
{
    public Task Consume(ConsumeContext<PutContainerFile> context) =>
        WithContainer(context, context.Message.SessionId, async containerId =>
            await context.RespondAsync(await files.PutAsync(context.Message.SessionId, containerId, context.Message.Path, context.Message.Content, context.CancellationToken)));

    public Task Consume(ConsumeContext<GetContainerFile> context) =>
        WithContainer(context, context.Message.SessionId, async containerId =>
            await context.RespondAsync(await files.GetAsync(context.Message.SessionId, containerId, context.Message.Path, context.Message.IncludeContent, context.CancellationToken)));

    public Task Consume(ConsumeContext<ListContainerFiles> context) =>
        WithContainer(context, context.Message.SessionId, async containerId =>
            await context.RespondAsync(new ContainerFileList(await files.ListAsync(context.Message.SessionId, containerId, context.CancellationToken))));

    public Task Consume(ConsumeContext<DeleteContainerFile> context) =>
        WithContainer(context, context.Message.SessionId, async containerId =>
        {
            var file = await files.GetAsync(context.Message.SessionId, containerId, context.Message.Path, includeContent: false, context.CancellationToken);
            await files.DeleteAsync(context.Message.SessionId, containerId, context.Message.Path, context.CancellationToken);
            await context.RespondAsync(file);
        });

    private async Task WithContainer(ConsumeContext context, Guid sessionId, Func<string, Task> work)
    {
        var containerId = await sandbox.FindOwnContainerAsync(sessionId, context.CancellationToken);
        if (containerId is null)
        {
            await context.RespondAsync(new ContainerFileFailed("container_gone", "The container has expired or was removed."));
            return;
        }

        using var lease = sandbox.Use(sessionId);
        try
        {
            await work(containerId);
        }
        catch (FileOperationException e)
        {
            await context.RespondAsync(new ContainerFileFailed(e.Code, e.Message));
        }
    }
}
