using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Berth.Planner.Tenants;

/// <summary>
/// Settings of one tenant's own, over the defaults, in one scheme for every per-tenant setting:
/// <c>Tenants:&lt;tenant&gt;:&lt;Setting&gt;</c> (as environment variables,
/// <c>Tenants__acme__MaxSessions=20</c>). A setting this version does not know is refused at
/// start-up rather than ignored.
/// </summary>
internal sealed class TenantOptions : IValidatableObject
{
    public const string Section = "Tenants";

    public Dictionary<string, TenantSettings> ByTenant { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the <c>Tenants</c> section; a setting that no <see cref="TenantSettings"/> property takes throws, naming it.</summary>
    public void Bind(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var known = typeof(TenantSettings).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var tenant in section.GetChildren())
        {
            foreach (var setting in tenant.GetChildren().Where(setting => !known.Contains(setting.Key)))
            {
                throw new InvalidOperationException(
                    $"{Section}:{tenant.Key}:{setting.Key} is not a tenant setting; the settings a tenant may have are {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }
        }

        section.Bind(ByTenant);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ByTenant.SelectMany(tenant => new (string Name, int? Value)[] { (nameof(TenantSettings.MaxSessions), tenant.Value.MaxSessions), (nameof(TenantSettings.MaxContainers), tenant.Value.MaxContainers), (nameof(TenantSettings.MaxSnapshotMb), tenant.Value.MaxSnapshotMb) }
            .Where(setting => setting.Value < 0)
            .Select(setting => new ValidationResult($"Tenants:{tenant.Key}:{setting.Name} is {setting.Value}; give 0 (no limit) or more.", [nameof(ByTenant)])));

    /// <summary>The tenant's own session limit: <c>Tenants:&lt;tenant&gt;:MaxSessions</c>, else the older <c>Planner:TenantSessionLimits:&lt;tenant&gt;</c>, else the default.</summary>
    public int SessionLimitOf(string tenant, PlannerOptions planner) =>
        ByTenant.TryGetValue(tenant, out var own) && own.MaxSessions is { } max ? max : planner.SessionLimitOf(tenant);

    /// <summary>What the tenant's snapshots may hold in all, in bytes; null for no total.</summary>
    public long? SnapshotBytesOf(string tenant) =>
        ByTenant.TryGetValue(tenant, out var own) && own.MaxSnapshotMb is > 0 and var mb ? mb * 1024L * 1024L : null;

    /// <summary>The tenant's own container limit, <c>Tenants:&lt;tenant&gt;:MaxContainers</c>, else <see cref="PlannerOptions.MaxContainersPerTenant"/>.</summary>
    public int ContainerLimitOf(string tenant, PlannerOptions planner) =>
        ByTenant.TryGetValue(tenant, out var own) && own.MaxContainers is { } max ? max : planner.MaxContainersPerTenant;
}

/// <summary>One tenant's settings; each unset one is the deployment's default.</summary>
internal sealed class TenantSettings
{
    /// <summary>Sessions the tenant may run at once; over <see cref="PlannerOptions.MaxConcurrentSessionsPerTenant"/> for this tenant. 0: no limit.</summary>
    public int? MaxSessions { get; set; }

    /// <summary>Containers the tenant may hold at once, its sessions' included; over <see cref="PlannerOptions.MaxContainersPerTenant"/> for this tenant. 0: no limit.</summary>
    public int? MaxContainers { get; set; }

    /// <summary>The catalog's model ids the tenant may use (<c>Tenants:&lt;tenant&gt;:Models:&lt;n&gt;</c>); read and checked by <see cref="ServiceDefaults.Models.ModelCatalog"/>.</summary>
    public List<string>? Models { get; set; }

    /// <summary>What the tenant's workspace snapshots may hold in all, in megabytes. Unset or 0: no total, only each snapshot's cap.</summary>
    public int? MaxSnapshotMb { get; set; }

    /// <summary>The sandbox image names the tenant may use (<c>Tenants:&lt;tenant&gt;:Images:&lt;n&gt;</c>); read and checked by <see cref="ServiceDefaults.Images.ImageCatalog"/>.</summary>
    public List<string>? Images { get; set; }
}
