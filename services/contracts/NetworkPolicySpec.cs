namespace Berth.Contracts;

/// <summary>
/// OpenAI's <c>network_policy</c> of a container: <c>disabled</c> (no network at all, the
/// default) or <c>allowlist</c>, where HTTP and HTTPS reach only <see cref="AllowedDomains"/>
/// through the session's egress proxy. An entry <c>*.example.com</c> allows example.com's
/// subdomains, not example.com itself.
/// </summary>
public sealed record NetworkPolicySpec
{
    public const string Disabled = "disabled";
    public const string Allowlist = "allowlist";

    public string Type { get; init; } = Disabled;

    /// <summary>Lower-case host names, each possibly starting with <c>*.</c>; sorted and without repeats.</summary>
    public IReadOnlyList<string> AllowedDomains { get; init; } = [];

    /// <summary>One string per distinct policy, to tell whether a container was made with this one.</summary>
    public string ToKey() => Type == Allowlist ? $"{Allowlist}:{string.Join(',', AllowedDomains)}" : Disabled;

    // By value, domains included: a list compares by reference otherwise.
    public bool Equals(NetworkPolicySpec? other) => other is not null && ToKey() == other.ToKey();

    public override int GetHashCode() => ToKey().GetHashCode(StringComparison.Ordinal);
}
