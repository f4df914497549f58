using System.Text.Json;
using Berth.Api.Containers;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Skills;

/// <summary>
/// <c>/v1/skills</c>: bundles are checked here (<see cref="SkillBundle"/>) and stored in the
/// payload store as one zip each; the planner keeps the records, tenant by tenant. A bundle
/// whose record is refused is deleted again.
/// </summary>
internal sealed class SkillsService(PlannerClient planner, PayloadStore payloads, IOptions<ApiOptions> options, RequestTenant tenant, TimeProvider time)
{
    private const string Unanswered = "The planner did not answer in time.";

    public async Task<IResult> CreateAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var (bundle, problem) = await SkillBundle.ReadAsync(http, options.Value.MaxSkillBytes, takesDefault: false, cancellationToken);
        if (bundle is null)
        {
            return Refused(problem!);
        }

        var version = await StoreAsync(bundle, "1", cancellationToken);
        return await KeepingAsync(version.ContentAddress, async () =>
        {
            var skill = new SkillSnapshot
            {
                Id = $"skill_{Guid.NewGuid():N}",
                CreatedAt = version.CreatedAt,
                Tenant = tenant.Id,
                DefaultVersion = "1",
                LatestVersion = "1",
                Versions = [version],
            };
            var reply = await Client<CreateSkill>().GetResponse<SkillSnapshot>(new CreateSkill(skill), cancellationToken);
            return Json(SkillJson.Serialize(reply.Message));
        });
    }

    public Task<IResult> ListAsync(int? limit, string? order, string? after, CancellationToken cancellationToken)
    {
        if (Pagination.Validate(limit, order) is { } invalid)
        {
            return Task.FromResult(invalid.ToResult());
        }

        if (after is not null && !IdFormat.IsSkillId(after))
        {
            return Task.FromResult(ApiError.InvalidRequest($"Invalid 'after': expected the id of a skill from a previous page ({IdFormat.SkillIdShape}).", "after", RequestErrorCodes.InvalidValue).ToResult());
        }

        return PageAsync();

        async Task<IResult> PageAsync()
        {
            var reply = await Client<ListSkills>().GetResponse<SkillList>(
                new ListSkills { Tenant = tenant.Id, Limit = limit ?? Pagination.DefaultLimit, After = after, OldestFirst = order == "asc" }, cancellationToken);
            return Json(SkillJson.SerializeList(reply.Message.Skills, reply.Message.HasMore));
        }
    }

    public Task<IResult> GetAsync(string skillId, CancellationToken cancellationToken) =>
        AskAsync(new GetSkill(skillId) { Tenant = tenant.Id }, skill => Json(SkillJson.Serialize(skill)), cancellationToken);

    public async Task<IResult> UpdateAsync(string skillId, HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, 64 * 1024, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        string version;
        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Any(p => p.Name != "default_version"))
            {
                return Refused("Give only 'default_version'.", "default_version");
            }

            if (!root.TryGetProperty("default_version", out var given) || given.ValueKind != JsonValueKind.String || !IdFormat.IsSkillVersion(given.GetString()!))
            {
                return Refused("Missing or invalid 'default_version': the number of one of the skill's versions, as a string.", "default_version");
            }

            version = given.GetString()!;
        }

        return await AskAsync(new UpdateSkill(skillId, version) { Tenant = tenant.Id }, skill => Json(SkillJson.Serialize(skill)), cancellationToken);
    }

    public Task<IResult> DeleteAsync(string skillId, CancellationToken cancellationToken) =>
        AskAsync(new DeleteSkill(skillId) { Tenant = tenant.Id }, _ => Json(SkillJson.SerializeDeleted(skillId)), cancellationToken);

    /// <summary>The bundle of the default version, or of the version named, as one zip.</summary>
    public Task<IResult> ContentAsync(string skillId, string? version, CancellationToken cancellationToken) =>
        AskWithAsync(new GetSkill(skillId) { Tenant = tenant.Id }, async skill =>
        {
            if (skill.Version(version ?? skill.DefaultVersion) is not { } found)
            {
                return VersionNotFound(skillId, version!);
            }

            try
            {
                return Results.Stream(await payloads.OpenAsync(found.ContentAddress, cancellationToken), "application/zip", $"{found.Name}.zip");
            }
            catch (MessageDataNotFoundException)
            {
                return ApiError.PayloadMissing().ToResult();
            }
        }, cancellationToken);

    public async Task<IResult> AddVersionAsync(string skillId, HttpRequest http, CancellationToken cancellationToken)
    {
        var (bundle, problem) = await SkillBundle.ReadAsync(http, options.Value.MaxSkillBytes, takesDefault: true, cancellationToken);
        if (bundle is null)
        {
            return Refused(problem!);
        }

        var version = await StoreAsync(bundle, "0", cancellationToken);
        return await KeepingAsync(version.ContentAddress, async () =>
        {
            var reply = await Client<AddSkillVersion>().GetResponse<SkillSnapshot, SkillNotFound>(
                new AddSkillVersion(skillId, version) { Tenant = tenant.Id, MakeDefault = bundle.MakeDefault }, cancellationToken);

            // The planner deletes the bundle of a version it did not keep.
            return reply.Is(out Response<SkillSnapshot>? skill)
                ? Json(SkillJson.SerializeVersion(skillId, skill.Message.Versions[^1]))
                : NotFound(skillId);
        });
    }

    public Task<IResult> ListVersionsAsync(string skillId, int? limit, string? order, string? after, CancellationToken cancellationToken)
    {
        if (Pagination.Validate(limit, order) is { } invalid)
        {
            return Task.FromResult(invalid.ToResult());
        }

        return AskAsync(new GetSkill(skillId) { Tenant = tenant.Id }, skill =>
        {
            var (page, hasMore) = Pagination.Take(skill.Versions, limit, order, after, v => v.Version);
            return Json(SkillJson.SerializeVersionList(skillId, page, hasMore));
        }, cancellationToken);
    }

    public Task<IResult> GetVersionAsync(string skillId, string version, CancellationToken cancellationToken) =>
        AskAsync(new GetSkill(skillId) { Tenant = tenant.Id }, skill =>
            skill.Version(version) is { } found ? Json(SkillJson.SerializeVersion(skillId, found)) : VersionNotFound(skillId, version), cancellationToken);

    public Task<IResult> DeleteVersionAsync(string skillId, string version, CancellationToken cancellationToken) =>
        AskAsync(new DeleteSkill(skillId) { Tenant = tenant.Id, Version = version }, _ => Json(SkillJson.SerializeVersionDeleted(skillId, version)), cancellationToken);

    private async Task<SkillVersionSnapshot> StoreAsync(SkillBundle.Checked bundle, string number, CancellationToken cancellationToken) => new()
    {
        Version = number,
        Name = bundle.Name,
        Description = bundle.Description,
        CreatedAt = time.GetUtcNow(),
        ContentAddress = await payloads.KeepAsync(new MemoryStream(bundle.Zip), cancellationToken),
        Bytes = bundle.Bytes,
    };

    /// <summary>Runs the planner call for a stored bundle; if it fails before the planner has it, the bundle is deleted.</summary>
    private async Task<IResult> KeepingAsync(Uri stored, Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestTimeoutException)
        {
            await payloads.DeleteAsync(stored);
            return ApiError.Unavailable(Unanswered).ToResult();
        }
    }

    private Task<IResult> AskAsync<T>(T request, Func<SkillSnapshot, IResult> answer, CancellationToken cancellationToken) where T : class =>
        AskWithAsync(request, skill => Task.FromResult(answer(skill)), cancellationToken);

    private async Task<IResult> AskWithAsync<T>(T request, Func<SkillSnapshot, Task<IResult>> answer, CancellationToken cancellationToken) where T : class
    {
        var reply = await Client<T>().GetResponse<SkillSnapshot, SkillNotFound>(request, cancellationToken);
        if (reply.Is(out Response<SkillSnapshot>? found))
        {
            return await answer(found.Message);
        }

        return reply.Is(out Response<SkillNotFound>? missing) && missing.Message is { Problem: { } problem }
            ? Refused(problem, "version")
            : missing?.Message.Version is { } version ? VersionNotFound(missing.Message.SkillId, version) : NotFound(missing?.Message.SkillId ?? "");
    }

    private IRequestClient<T> Client<T>() where T : class => planner.Ask<T>(Endpoints.SkillsQueue);

    private static IResult Refused(string message, string param = "files") => ApiError.InvalidRequest(message, param, RequestErrorCodes.InvalidValue).ToResult();

    private static IResult NotFound(string skillId) => ApiError.NotFound($"Skill with id '{skillId}' not found.").ToResult();

    private static IResult VersionNotFound(string skillId, string version) => ApiError.NotFound($"Version '{version}' of skill '{skillId}' not found.").ToResult();

    private static IResult Json(byte[] body) => Results.Bytes(body, "application/json");
}
