using System.ComponentModel.DataAnnotations;
using Berth.Planner;
using Berth.Planner.Tenants;
using Microsoft.Extensions.Configuration;

namespace Berth.UnitTests.Planner;

public sealed class TenantOptionsTests
{
    private static (TenantOptions Tenants, PlannerOptions Planner) Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var tenants = new TenantOptions();
        tenants.Bind(configuration);
        var planner = new PlannerOptions();
        configuration.GetSection(PlannerOptions.Section).Bind(planner);
        return (tenants, planner);
    }

    [Fact]
    public void Should_take_the_tenants_own_setting_over_the_older_spelling_and_the_default()
    {
        var (tenants, planner) = Read(("Tenants:acme:MaxSessions", "3"), ("Planner:TenantSessionLimits:acme", "5"),
            ("Planner:TenantSessionLimits:globex", "5"), ("Planner:MaxConcurrentSessionsPerTenant", "7"));

        Assert.Equal(3, tenants.SessionLimitOf("acme", planner));
        Assert.Equal(5, tenants.SessionLimitOf("globex", planner));
        Assert.Equal(7, tenants.SessionLimitOf("initech", planner));
    }

    [Fact]
    public void Should_take_the_tenants_own_container_limit_over_the_default()
    {
        var (tenants, planner) = Read(("Tenants:acme:MaxContainers", "2"), ("Planner:MaxContainersPerTenant", "9"));

        Assert.Equal(2, tenants.ContainerLimitOf("acme", planner));
        Assert.Equal(9, tenants.ContainerLimitOf("globex", planner));
    }

    [Fact]
    public void Should_refuse_a_setting_it_does_not_know_when_a_name_is_misspelt()
    {
        var thrown = Assert.Throws<InvalidOperationException>(() => Read(("Tenants:acme:MaxSesions", "3")));

        Assert.Contains("MaxSesions", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_negative_limit()
    {
        var (tenants, _) = Read(("Tenants:acme:MaxSessions", "-1"), ("Tenants:globex:MaxContainers", "-2"));

        var problems = tenants.Validate(new ValidationContext(tenants)).ToList();

        Assert.Contains(problems, p => p.ErrorMessage!.Contains("Tenants:acme:MaxSessions is -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.ErrorMessage!.Contains("Tenants:globex:MaxContainers is -2", StringComparison.Ordinal));
    }
}
