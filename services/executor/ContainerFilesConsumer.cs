using Berth.Contracts;
using Berth.Executor.Sandbox;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Executor;

/// <summary>
/// The Containers API's file operations, on the executor that holds the container. Contents too
/// large for a message come and go through the shared payload store; the api deletes them.
/// </summary>
internal sealed class ContainerFilesConsumer(DockerSandbox sandbox, ContainerFiles files, WorkspaceSnapshots snapshots, PayloadStore payloads)
    : IConsumer<PutContainerFile>, IConsumer<GetContainerFile>, IConsumer<ListContainerFiles>, IConsumer<DeleteContainerFile>, IConsumer<TakeWorkspaceSnapshot>
{
    public Task Consume(ConsumeContext<TakeWorkspaceSnapshot> context) =>
        WithContainerAsync(context, context.Message.SessionId, async containerId =>
        {
            await context.RespondAsync(await snapshots.TakeAsync(containerId, context.Message.MaxBytes, context.CancellationToken, keep: !context.Message.Passing, withSkills: context.Message.WithSkills));
        });

    public Task Consume(ConsumeContext<PutContainerFile> context) =>
        WithContainerAsync(context, context.Message.SessionId, async containerId =>
        {
            var request = context.Message;
            ContainerFileInfo written;
            if (request.ContentAddress is { } address)
            {
                await using var content = await OpenAsync(address, context.CancellationToken);
                written = await files.PutAsync(request.SessionId, containerId, request.Path, content, context.CancellationToken);
            }
            else
            {
                written = await files.PutAsync(request.SessionId, containerId, request.Path, request.Content, context.CancellationToken);
            }

            await context.RespondAsync(written);
        });

    public Task Consume(ConsumeContext<GetContainerFile> context) =>
        WithContainerAsync(context, context.Message.SessionId, async containerId =>
        {
            var file = await files.GetAsync(context.Message.SessionId, containerId, context.Message.Path, context.Message.IncludeContent, context.CancellationToken);
            if (file.Content is { } content && !payloads.Fits(content.Length))
            {
                file = file with { Content = null, ContentAddress = await payloads.PutAsync(content, context.CancellationToken) };
            }

            await context.RespondAsync(file);
        });

    public Task Consume(ConsumeContext<ListContainerFiles> context) =>
        WithContainerAsync(context, context.Message.SessionId, async containerId =>
        {
            var request = context.Message;
            var oldestFirst = await files.ListAsync(request.SessionId, containerId, context.CancellationToken);
            IEnumerable<ContainerFileInfo> ordered = request.OldestFirst ? oldestFirst : oldestFirst.Reverse();
            if (request.After is { } after)
            {
                ordered = ordered.SkipWhile(file => file.Path != after).Skip(1);
            }

            await context.RespondAsync(new ContainerFileList([.. ordered.Take(Math.Clamp(request.Limit, 1, ListContainerFiles.MaxLimit))]));
        });

    public Task Consume(ConsumeContext<DeleteContainerFile> context) =>
        WithContainerAsync(context, context.Message.SessionId, async containerId =>
        {
            var file = await files.GetAsync(context.Message.SessionId, containerId, context.Message.Path, includeContent: false, context.CancellationToken);
            await files.DeleteAsync(context.Message.SessionId, containerId, context.Message.Path, context.CancellationToken);
            await context.RespondAsync(file);
        });

    private async Task<Stream> OpenAsync(Uri address, CancellationToken cancellationToken)
    {
        try
        {
            return await payloads.OpenAsync(address, cancellationToken);
        }
        catch (MessageDataNotFoundException)
        {
            // Its sender deletes it when it stops waiting: an upload found gone was given up on.
            throw new FileOperationException(ErrorCodes.PayloadUnavailable, "The upload's content is no longer in the payload store; its request was given up on.");
        }
    }

    private async Task WithContainerAsync(ConsumeContext context, Guid sessionId, Func<string, Task> work)
    {
        var containerId = await sandbox.FindOwnContainerAsync(sessionId, context.CancellationToken);
        if (containerId is null)
        {
            await context.RespondAsync(new ContainerFileFailed(ErrorCodes.ContainerGone, "The container has expired or was removed."));
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
