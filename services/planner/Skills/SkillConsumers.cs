using Berth.Contracts;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Skills;

/// <summary>
/// Keeps, finds, lists, changes and deletes skills and their versions, for <c>/v1/skills</c>. A
/// tenant sees only its own. A bundle's bytes go with the version that holds them.
/// </summary>
internal sealed class SkillConsumers(ISkillStore store, PayloadStore payloads)
    : IConsumer<CreateSkill>, IConsumer<GetSkill>, IConsumer<ListSkills>, IConsumer<AddSkillVersion>, IConsumer<UpdateSkill>, IConsumer<DeleteSkill>
{
    public async Task Consume(ConsumeContext<CreateSkill> context)
    {
        var skill = context.Message.Skill with { Tenant = Tenancy.Of(context.Message.Skill.Tenant) };
        await store.AddAsync(skill, context.CancellationToken);
        await context.RespondAsync(await store.FindAsync(skill.Id, context.CancellationToken) ?? skill);
    }

    public async Task Consume(ConsumeContext<GetSkill> context) =>
        await RespondAsync(context, await FindAsync(context.Message.SkillId, context.Message.Tenant, context.CancellationToken), new SkillNotFound(context.Message.SkillId));

    public async Task Consume(ConsumeContext<ListSkills> context)
    {
        var request = context.Message;
        var tenant = Tenancy.Of(request.Tenant);
        SkillSnapshot? after = null;
        if (request.After is not null && (after = await FindAsync(request.After, tenant, context.CancellationToken)) is null)
        {
            await context.RespondAsync(new SkillList([], HasMore: false));
            return;
        }

        var page = await store.ListAsync(tenant, after, request.Limit + 1, request.OldestFirst, context.CancellationToken);
        await context.RespondAsync(new SkillList([.. page.Take(request.Limit)], page.Count > request.Limit));
    }

    public async Task Consume(ConsumeContext<AddSkillVersion> context)
    {
        var request = context.Message;
        var added = await FindAsync(request.SkillId, request.Tenant, context.CancellationToken) is null
            ? null
            : await store.AddVersionAsync(request.SkillId, request.Version, request.MakeDefault, context.CancellationToken);
        if (added is null)
        {
            // Nothing holds the bundle the api stored for it.
            await payloads.DeleteAsync(request.Version.ContentAddress);
        }

        await RespondAsync(context, added, new SkillNotFound(request.SkillId));
    }

    public async Task Consume(ConsumeContext<UpdateSkill> context)
    {
        var request = context.Message;
        var found = await FindAsync(request.SkillId, request.Tenant, context.CancellationToken);
        var updated = found is null ? null : await store.SetDefaultAsync(found.Id, request.DefaultVersion, context.CancellationToken);
        await RespondAsync(context, updated, new SkillNotFound(request.SkillId) { Version = found is null ? null : request.DefaultVersion });
    }

    public async Task Consume(ConsumeContext<DeleteSkill> context)
    {
        var request = context.Message;
        var found = await FindAsync(request.SkillId, request.Tenant, context.CancellationToken);
        if (found is null)
        {
            await context.RespondAsync(new SkillNotFound(request.SkillId));
            return;
        }

        if (request.Version is { } version)
        {
            if (found.DefaultVersion == version)
            {
                await context.RespondAsync(new SkillNotFound(request.SkillId) { Version = version, Problem = $"Version {version} is the skill's default: make another the default first, or delete the skill." });
                return;
            }

            var before = await store.RemoveVersionAsync(found.Id, version, context.CancellationToken);
            if (before?.Version(version) is not { } removed)
            {
                await context.RespondAsync(new SkillNotFound(request.SkillId) { Version = version });
                return;
            }

            await payloads.DeleteAsync(removed.ContentAddress);
            await context.RespondAsync(before);
            return;
        }

        if (await store.RemoveAsync(found.Id, context.CancellationToken) is not { } gone)
        {
            await context.RespondAsync(new SkillNotFound(request.SkillId));
            return;
        }

        foreach (var each in gone.Versions)
        {
            await payloads.DeleteAsync(each.ContentAddress);
        }

        await context.RespondAsync(gone);
    }

    private async Task<SkillSnapshot?> FindAsync(string skillId, string? tenant, CancellationToken cancellationToken) =>
        await store.FindAsync(skillId, cancellationToken) is { } skill && Tenancy.Owns(skill.Tenant, tenant) ? skill : null;

    private static Task RespondAsync<T>(ConsumeContext<T> context, SkillSnapshot? skill, SkillNotFound missing) where T : class =>
        skill is not null ? context.RespondAsync(skill) : context.RespondAsync(missing);
}
