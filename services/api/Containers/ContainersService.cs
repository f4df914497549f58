using System.Text.Json;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Images;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Containers;

/// <summary>The Containers API: the planner keeps the records, an executor of the pool holds each container.</summary>
internal sealed class ContainersService(
    PlannerClient planner,
    UploadedFileCopies copies,
    Skills.SkillSeeds skillSeeds,
    IOptions<ApiOptions> options,
    IOptions<ImageCatalog> images,
    RequestTenant tenant,
    TimeProvider time)
{
    public async Task<IResult> CreateAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        CreateContainerRequest request;
        using (body)
        {
            var (parsed, error) = CreateContainerParser.Parse(body.RootElement, options.Value.EgressDomains);
            if (error is not null)
            {
                return error.ToResult();
            }

            request = parsed!;
        }

        if (MemoryLimits.Refusal(request.MemoryMb, options.Value.MaxMemoryMb, "memory_limit") is { } tooMuch)
        {
            return tooMuch.ToResult();
        }

        if (ImageNames.Refusal(images.Value, tenant.Id, request.Image, "image") is { } badImage)
        {
            return badImage.ToResult();
        }

        // Every file is found before anything is made: an unknown id leaves no container behind.
        var (files, unknown) = await copies.ResolveAsync(request.FileIds, "file_ids", cancellationToken);
        if (unknown is not null)
        {
            return unknown.ToResult();
        }

        var (skills, unfound) = await skillSeeds.ResolveAsync(request.Skills, cancellationToken);
        if (unfound is not null)
        {
            return unfound.ToResult();
        }

        var reply = await planner.Ask<CreateContainer>(RequestTimeout.After(s: Math.Max(options.Value.PlannerTimeoutSeconds, 120))).GetResponse<ContainerSnapshot, TaskRejected>(new CreateContainer
        {
            ContainerId = $"cntr_{Guid.NewGuid():N}",
            Name = request.Name,
            IdleMinutes = request.IdleMinutes,
            MemoryMb = request.MemoryMb,
            Image = request.Image,
            FromSnapshot = request.FromSnapshot,
            NetworkPolicy = request.NetworkPolicy,
            Skills = skills!,
            CreatedAt = time.GetUtcNow(),
            Tenant = tenant.Id,
        }, cancellationToken);

        return reply.Is(out Response<ContainerSnapshot>? created)
            ? await CopyFilesAsync(created.Message, files!, cancellationToken) ?? Json(ContainerJson.Serialize(created.Message))
            : reply.Is(out Response<TaskRejected>? rejected)
                ? (rejected.Message.Code == ErrorCodes.ContainerLimitExceeded
                    ? new ApiError(StatusCodes.Status429TooManyRequests, rejected.Message.Message, "requests", null, rejected.Message.Code)
                    : rejected.Message.Param is { } param
                    ? ApiError.InvalidRequest(rejected.Message.Message, param, rejected.Message.Code)
                    : new ApiError(StatusCodes.Status503ServiceUnavailable, rejected.Message.Message, ErrorCodes.ServerError, null, rejected.Message.Code)).ToResult()
                : throw new InvalidOperationException("The planner answered neither created nor rejected.");
    }

    /// <summary>Copies the files into the new container; if one cannot be, the container is deleted and the refusal returned, so a create either has all its files or makes nothing.</summary>
    private async Task<IResult?> CopyFilesAsync(ContainerSnapshot container, IReadOnlyList<FileSnapshot> files, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var copied = await copies.CopyAsync(container, file, cancellationToken);
            if (!copied.Is(out Response<ContainerFileInfo>? _))
            {
                await planner.Ask<DeleteContainer>().GetResponse<ContainerSnapshot, ContainerNotFound>(new DeleteContainer(container.Id) { Tenant = tenant.Id }, CancellationToken.None);
                return ContainerFilesService.Render(container, copied, _ => Results.Empty);
            }
        }

        return null;
    }

    public async Task<IResult> GetAsync(string containerId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetContainer>().GetResponse<ContainerSnapshot, ContainerNotFound>(new GetContainer(containerId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<ContainerSnapshot>? found) ? Json(ContainerJson.Serialize(found.Message)) : NotFound(containerId);
    }

    public async Task<IResult> ListAsync(int? limit, string? order, string? after, CancellationToken cancellationToken)
    {
        if (Pagination.Validate(limit, order) is { } invalid)
        {
            return invalid.ToResult();
        }

        if (after is not null && !IdFormat.IsContainerId(after))
        {
            return ApiError.InvalidRequest("Invalid 'after': expected the id of a container from a previous page (cntr_ and 32 hex digits).", "after", RequestErrorCodes.InvalidValue).ToResult();
        }

        // One more than the page, to tell whether more follow.
        var size = limit ?? Pagination.DefaultLimit;
        var found = (await planner.Ask<ListContainers>().GetResponse<ContainerList>(new ListContainers(size + 1) { Tenant = tenant.Id, After = after, OldestFirst = order == "asc" },
            cancellationToken)).Message.Containers;
        return Json(ContainerJson.SerializeList(found.Take(size).ToList(), found.Count > size));
    }

    public async Task<IResult> DeleteAsync(string containerId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<DeleteContainer>().GetResponse<ContainerSnapshot, ContainerNotFound>(new DeleteContainer(containerId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<ContainerSnapshot>? _) ? Json(ContainerJson.SerializeDeleted(containerId)) : NotFound(containerId);
    }

    private static IResult NotFound(string containerId) => ApiError.NotFound($"Container with id '{containerId}' not found.").ToResult();

    private static IResult Json(byte[] body) => Results.Text(body, "application/json");
}
