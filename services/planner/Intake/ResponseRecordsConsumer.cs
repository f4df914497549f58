using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>The api's reads of a response's input, and its deletes: the planner owns the records.</summary>
internal sealed class ResponseRecordsConsumer(IResponseStore store) : IConsumer<GetResponseInput>, IConsumer<DeleteResponse>
{
    public async Task Consume(ConsumeContext<GetResponseInput> context)
    {
        var response = await FindAsync(context.Message.ResponseId, context.Message.Tenant, context.CancellationToken);
        if (response is null)
        {
            await context.RespondAsync(new ResponseNotFound(context.Message.ResponseId));
            return;
        }

        await context.RespondAsync(new ResponseInput(response.Id, InputItems.WithIds(response.Id, response.Input)));
    }

    /// <summary>
    /// A response still running is refused, not deleted under its session, which would go on
    /// writing its items. Its session's container is left to expire as it would have.
    /// </summary>
    public async Task Consume(ConsumeContext<DeleteResponse> context)
    {
        var response = await FindAsync(context.Message.ResponseId, context.Message.Tenant, context.CancellationToken);
        if (response is null)
        {
            await context.RespondAsync(new ResponseNotFound(context.Message.ResponseId));
        }
        else if (!response.IsFinished)
        {
            await context.RespondAsync(response.Snapshot with { Output = [] });
        }
        else
        {
            await store.DeleteAsync(response.Id, context.CancellationToken);
            await context.RespondAsync(new ResponseDeleted(response.Id));
        }
    }

    /// <summary>The tenant's response, if clients may see it: one made with <c>store: false</c> has no records to list or delete.</summary>
    private async Task<StoredResponse?> FindAsync(string responseId, string? tenant, CancellationToken cancellationToken) =>
        await store.FindAsync(responseId, cancellationToken) is { Snapshot.Store: true } response && Tenancy.Owns(response.Snapshot.Tenant, tenant) ? response : null;
}
