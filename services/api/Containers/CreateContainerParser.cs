using System.Text.Json;
using Berth.Api.Errors;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>A valid <c>POST /v1/containers</c> body.</summary>
internal sealed record CreateContainerRequest(string Name, int IdleMinutes, int? MemoryMb, Berth.Contracts.NetworkPolicySpec? NetworkPolicy = null)
{
    /// <summary>The skills asked for, found by the api before the container is made.</summary>
    public IReadOnlyList<Berth.Api.Skills.AskedSkill> Skills { get; init; } = [];

    /// <summary>Files uploaded through <c>/v1/files</c> to copy into <c>/mnt/data</c>; empty for none.</summary>
    public IReadOnlyList<string> FileIds { get; init; } = [];

    /// <summary>The sandbox image by the operator's name for it (a Berth extension); null for the default.</summary>
    public string? Image { get; init; }

    /// <summary>The snapshot whose files it starts with (a Berth extension); null for an empty workspace.</summary>
    public string? FromSnapshot { get; init; }
}

/// <summary>Reads a <c>POST /v1/containers</c> body; every problem is a 400 naming the parameter.</summary>
internal static class CreateContainerParser
{
    private const int DefaultMinutes = 20;
    private const int MaxMinutes = 7 * 24 * 60;

    public static (CreateContainerRequest? Request, ApiError? Error) Parse(JsonElement body, IReadOnlyList<string>? egressDomains = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiError.InvalidRequest("The request body must be a JSON object.", null, RequestErrorCodes.InvalidType));
        }

        foreach (var property in body.EnumerateObject())
        {
            if (property.Name is not ("name" or "expires_after" or "file_ids" or "memory_limit" or "network_policy" or "skills" or "image" or "from_snapshot"))
            {
                return (null, ApiError.InvalidRequest($"Unknown parameter: '{property.Name}'.", property.Name, RequestErrorCodes.UnknownParameter));
            }

        }

        if (!body.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
        {
            return (null, ApiError.InvalidRequest("Missing required parameter: 'name' (a non-empty string).", "name", RequestErrorCodes.MissingRequiredParameter));
        }

        var (fileIds, badFiles) = UploadedFileCopies.ParseIds(body, "file_ids");
        if (badFiles is not null)
        {
            return (null, badFiles);
        }

        var minutes = DefaultMinutes;
        if (body.TryGetProperty("expires_after", out var expires) && expires.ValueKind != JsonValueKind.Null)
        {
            if (expires.ValueKind != JsonValueKind.Object
                || !expires.TryGetProperty("anchor", out var anchor) || anchor.ValueKind != JsonValueKind.String || anchor.GetString() != "last_active_at")
            {
                return (null, ApiError.InvalidRequest("Invalid 'expires_after.anchor': the only supported value is 'last_active_at'.", "expires_after.anchor", RequestErrorCodes.InvalidValue));
            }

            if (!expires.TryGetProperty("minutes", out var given) || given.ValueKind != JsonValueKind.Number || !given.TryGetInt32(out minutes)
                || minutes < 1 || minutes > MaxMinutes)
            {
                return (null, ApiError.InvalidRequest($"Invalid 'expires_after.minutes': expected an integer from 1 to {MaxMinutes}.", "expires_after.minutes", RequestErrorCodes.InvalidValue));
            }
        }

        int? memoryMb = null;
        if (body.TryGetProperty("memory_limit", out var memory) && memory.ValueKind != JsonValueKind.Null)
        {
            if (memory.ValueKind != JsonValueKind.String || !MemoryLimits.TryParse(memory.GetString(), out var mb))
            {
                return (null, ApiError.InvalidRequest($"Invalid 'memory_limit': supported values are {MemoryLimits.Supported}.", "memory_limit", RequestErrorCodes.InvalidValue));
            }

            memoryMb = mb;
        }

        Berth.Contracts.NetworkPolicySpec? policy = null;
        if (body.TryGetProperty("network_policy", out var network))
        {
            (policy, var invalid) = Security.NetworkPolicyParser.Parse(network, "network_policy", egressDomains ?? []);
            if (invalid is not null)
            {
                return (null, invalid);
            }
        }

        IReadOnlyList<Berth.Api.Skills.AskedSkill> skills;
        string? image;
        try
        {
            skills = Berth.Api.Skills.AskedSkills.Parse(body, null);
            image = ImageNames.Parse(body, "image");
        }
        catch (Responses.JsonFields.RequestException e)
        {
            return (null, e.Error);
        }

        string? fromSnapshot = null;
        if (body.TryGetProperty("from_snapshot", out var snapshot) && snapshot.ValueKind != JsonValueKind.Null)
        {
            if (snapshot.ValueKind != JsonValueKind.String || !Errors.IdFormat.IsSnapshotId(snapshot.GetString()!))
            {
                return (null, ApiError.InvalidRequest($"Invalid 'from_snapshot': expected the id of a snapshot ({Errors.IdFormat.SnapshotIdShape}).", "from_snapshot", RequestErrorCodes.InvalidValue));
            }

            fromSnapshot = snapshot.GetString();
        }

        return (new CreateContainerRequest(name.GetString()!, minutes, memoryMb, policy) { FileIds = fileIds ?? [], Skills = skills, Image = image, FromSnapshot = fromSnapshot }, null);
    }
}
