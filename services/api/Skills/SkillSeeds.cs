using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Skills;

/// <summary>
/// Finds the skills <c>container_auto</c> asks for before anything is queued: a reference names
/// one of the tenant's skills (its default version, a version, or <c>latest</c>), an inline zip
/// is checked as an upload is (<see cref="SkillBundle"/>) and put in the payload store. An
/// unknown skill or version, a bad bundle, or two skills of one name is a 400 naming the entry.
/// </summary>
internal sealed class SkillSeeds(PlannerClient planner, PayloadStore payloads, IOptions<ApiOptions> options, RequestTenant tenant)
{
    /// <exception cref="RequestTimeoutException">The planner did not answer in time.</exception>
    public async Task<(IReadOnlyList<ContainerSkillSeed>? Seeds, ApiError? Error)> ResolveAsync(IReadOnlyList<AskedSkill> asked, CancellationToken cancellationToken)
    {
        var seeds = new List<ContainerSkillSeed>();
        foreach (var skill in asked)
        {
            var (seed, problem) = skill.SkillId is { } id ? await FindAsync(skill, id, cancellationToken) : await StoreAsync(skill, cancellationToken);
            if (seed is null)
            {
                return (null, ApiError.InvalidRequest(problem!, skill.Param, RequestErrorCodes.InvalidValue));
            }

            if (seeds.Any(s => s.Name == seed.Name))
            {
                return (null, ApiError.InvalidRequest($"Two skills are named '{seed.Name}'; a container holds one at {seed.Path}.", skill.Param, RequestErrorCodes.InvalidValue));
            }

            seeds.Add(seed);
        }

        return (seeds, null);
    }

    private async Task<(ContainerSkillSeed? Seed, string? Problem)> FindAsync(AskedSkill asked, string skillId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetSkill>(Endpoints.SkillsQueue)
            .GetResponse<SkillSnapshot, SkillNotFound>(new GetSkill(skillId) { Tenant = tenant.Id }, cancellationToken);
        if (!reply.Is(out Response<SkillSnapshot>? found))
        {
            return (null, $"Skill with id '{skillId}' not found.");
        }

        var skill = found.Message;
        var number = asked.Version switch { null => skill.DefaultVersion, "latest" => skill.LatestVersion, var given => given };
        return skill.Version(number) is { } version
            ? (new ContainerSkillSeed(version.Name, version.Description, version.ContentAddress), null)
            : (null, $"Skill '{skillId}' has no version '{number}'.");
    }

    private async Task<(ContainerSkillSeed? Seed, string? Problem)> StoreAsync(AskedSkill asked, CancellationToken cancellationToken)
    {
        var (files, unzipProblem) = await SkillBundle.UnzipAsync(asked.Zip!, options.Value.MaxSkillBytes, cancellationToken);
        if (files is null)
        {
            return (null, unzipProblem);
        }

        var (bundle, problem) = SkillBundle.Check(files);
        if (bundle is null)
        {
            return (null, problem);
        }

        // Kept as long as payloads in flight are: the session's container is made from it at its first call.
        var address = await payloads.PutAsync(bundle.Zip, cancellationToken);
        return (new ContainerSkillSeed(asked.Name!, asked.Description!, address), null);
    }
}
