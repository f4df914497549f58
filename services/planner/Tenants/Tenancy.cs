namespace Berth.Planner.Tenants;

/// <summary>
/// Who owns what. Every response, container and webhook endpoint belongs to the tenant whose
/// API key created it, and only that tenant can see it: to any other, it does not exist (the
/// api answers 404, never 403, so ids leak nothing). The planner checks this, not the api,
/// because it is the one that holds the records.
/// </summary>
internal static class Tenancy
{
    /// <summary>The tenant of an api without API keys, and of records made before tenants existed.</summary>
    public const string Local = "local";

    public static string Of(string? tenant) => string.IsNullOrEmpty(tenant) ? Local : tenant;

    public static bool Owns(string? owner, string? asking) => string.Equals(Of(owner), Of(asking), StringComparison.Ordinal);
}
