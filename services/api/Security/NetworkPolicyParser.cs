using System.Text.Json;
using Berth.Api.Errors;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Security;

/// <summary>
/// Reads OpenAI's <c>network_policy</c>: <c>{"type": "disabled"}</c> (the default: no network)
/// or <c>{"type": "allowlist", "allowed_domains": [...]}</c>. Every domain must be one the
/// operator allows (<see cref="ApiOptions.AllowedEgressDomains"/>); with none allowed, no
/// request gets any network.
/// </summary>
internal static class NetworkPolicyParser
{
    private const int MaxDomains = 100;

    /// <returns>The policy, or null for no network at all; or the problem, naming the parameter.</returns>
    public static (NetworkPolicySpec? Policy, ApiError? Error) Parse(JsonElement value, string param, IReadOnlyList<string> operatorDomains)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return (null, ApiError.InvalidRequest($"Invalid '{param}': expected an object with a 'type' of 'disabled' or 'allowlist'.", param, RequestErrorCodes.InvalidType));
        }

        switch (type.GetString())
        {
            case NetworkPolicySpec.Disabled:
                return (null, null);
            case NetworkPolicySpec.Allowlist:
                break;
            default:
                return (null, ApiError.InvalidRequest($"Invalid value for '{param}.type': '{type.GetString()}'. Supported values are: 'disabled' and 'allowlist'.", $"{param}.type", RequestErrorCodes.InvalidValue));
        }

        if (value.TryGetProperty("domain_secrets", out var secrets) && secrets.ValueKind == JsonValueKind.Array && secrets.GetArrayLength() > 0)
        {
            return (null, ApiError.InvalidRequest($"'{param}.domain_secrets' is not supported by Berth.", $"{param}.domain_secrets", RequestErrorCodes.UnsupportedParameter));
        }

        var listParam = $"{param}.allowed_domains";
        if (!value.TryGetProperty("allowed_domains", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxDomains)
        {
            return (null, ApiError.InvalidRequest($"Invalid '{listParam}': expected an array of 1 to {MaxDomains} domain names.", listParam, RequestErrorCodes.InvalidValue));
        }

        if (operatorDomains.Count == 0)
        {
            return (null, ApiError.InvalidRequest($"Invalid '{param}': this Berth gives sandboxes no network; its operator allows no domains (Api:AllowedEgressDomains).", param, RequestErrorCodes.InvalidValue));
        }

        var domains = new SortedSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var entryParam = $"{listParam}[{index++}]";
            if (entry.ValueKind != JsonValueKind.String)
            {
                return (null, ApiError.InvalidRequest($"Invalid type for '{entryParam}': expected a string.", entryParam, RequestErrorCodes.InvalidType));
            }

            var domain = EgressDomains.Normalize(entry.GetString()!);
            if (EgressDomains.Problem(domain) is { } problem)
            {
                return (null, ApiError.InvalidRequest($"Invalid '{entryParam}': {problem}", entryParam, RequestErrorCodes.InvalidValue));
            }

            if (!operatorDomains.Any(allowed => EgressDomains.Covers(allowed, domain)))
            {
                return (null, ApiError.InvalidRequest($"Invalid '{entryParam}': '{domain}' is not among the domains this Berth allows: {string.Join(", ", operatorDomains)}.", entryParam, RequestErrorCodes.InvalidValue));
            }

            domains.Add(domain);
        }

        return (new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = [.. domains] }, null);
    }
}
