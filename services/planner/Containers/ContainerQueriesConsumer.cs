using Berth.Contracts;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary><c>GET /v1/containers/{id}</c> and <c>GET /v1/containers</c>: a tenant sees only its own.</summary>
internal sealed class ContainerQueriesConsumer(IContainerStore containers) : IConsumer<GetContainer>, IConsumer<ListContainers>
{
    public async Task Consume(ConsumeContext<GetContainer> context)
    {
        if (await containers.FindAsync(context.Message.ContainerId, context.CancellationToken) is { } container && Tenancy.Owns(container.Tenant, context.Message.Tenant))
        {
            await context.RespondAsync(container);
        }
        else
        {
            await context.RespondAsync(new ContainerNotFound(context.Message.ContainerId));
        }
    }

    /// <summary>One page at a time, so that the answer stays small however many containers a tenant has had.</summary>
    public async Task Consume(ConsumeContext<ListContainers> context)
    {
        var request = context.Message;
        var limit = Math.Clamp(request.Limit, 1, MaxPage);
        await context.RespondAsync(new ContainerList(await containers.ListAsync(Tenancy.Of(request.Tenant), limit, request.After, request.OldestFirst, context.CancellationToken)));
    }

    /// <summary>The most containers one answer carries: OpenAI's largest page, and one to tell whether more follow.</summary>
    public const int MaxPage = 101;
}
