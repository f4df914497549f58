using Berth.Contracts;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Files;

/// <summary>
/// Keeps, finds, lists and deletes the records of uploaded files, for <c>/v1/files</c>. A tenant
/// sees only its own files, and no one sees a file past its expiry, even before the purge has
/// removed it.
/// </summary>
internal sealed class FileConsumers(IFileStore store, PayloadStore payloads, TimeProvider time)
    : IConsumer<CreateFile>, IConsumer<GetFile>, IConsumer<ListFiles>, IConsumer<DeleteFile>
{
    public async Task Consume(ConsumeContext<CreateFile> context)
    {
        var file = context.Message.File with { Tenant = Tenancy.Of(context.Message.File.Tenant) };
        await store.AddAsync(file, context.CancellationToken);
        await context.RespondAsync(file);
    }

    public async Task Consume(ConsumeContext<GetFile> context)
    {
        if (await FindVisibleAsync(context.Message.FileId, context.Message.Tenant, context.CancellationToken) is { } file)
        {
            await context.RespondAsync(file);
            return;
        }

        await context.RespondAsync(new FileNotFound(context.Message.FileId));
    }

    public async Task Consume(ConsumeContext<ListFiles> context)
    {
        var request = context.Message;
        var tenant = Tenancy.Of(request.Tenant);
        FileSnapshot? after = null;
        if (request.After is not null)
        {
            after = await FindVisibleAsync(request.After, tenant, context.CancellationToken);
            if (after is null)
            {
                // An unknown cursor starts nowhere, as OpenAI's lists do.
                await context.RespondAsync(new FileList([], HasMore: false));
                return;
            }
        }

        var page = await store.ListAsync(tenant, request.Purpose, after, request.Limit + 1, request.OldestFirst, time.GetUtcNow(), context.CancellationToken);
        await context.RespondAsync(new FileList([.. page.Take(request.Limit)], page.Count > request.Limit));
    }

    public async Task Consume(ConsumeContext<DeleteFile> context)
    {
        if (await FindVisibleAsync(context.Message.FileId, context.Message.Tenant, context.CancellationToken) is not { } file
            || await store.RemoveAsync(file.Id, context.CancellationToken) is null)
        {
            await context.RespondAsync(new FileNotFound(context.Message.FileId));
            return;
        }

        await payloads.DeleteAsync(file.ContentAddress);
        await context.RespondAsync(file);
    }

    private async Task<FileSnapshot?> FindVisibleAsync(string fileId, string? tenant, CancellationToken cancellationToken) =>
        await store.FindAsync(fileId, cancellationToken) is { } file && Tenancy.Owns(file.Tenant, tenant) && !(file.ExpiresAt <= time.GetUtcNow())
            ? file
            : null;
}
