using Microsoft.Extensions.Configuration;

namespace Berth.ServiceDefaults;

/// <summary>Per-tenant lists the operator gives one value per index (<c>Tenants__acme__Models__0=gpt-4.1</c>).</summary>
public static class TenantLists
{
    /// <summary>For each tenant that has a <paramref name="section"/> list, its values, into <paramref name="lists"/>.</summary>
    public static void Read(IConfiguration configuration, string section, Dictionary<string, List<string>> lists)
    {
        foreach (var tenant in configuration.GetSection("Tenants").GetChildren())
        {
            var values = tenant.GetSection(section);
            if (values.GetChildren().Any())
            {
                lists[tenant.Key] = [.. values.GetChildren().Select(v => v.Value ?? "")];
            }
        }
    }
}
