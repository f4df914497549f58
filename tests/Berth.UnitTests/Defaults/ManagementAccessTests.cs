using System.Net;
using Berth.ServiceDefaults;
using Microsoft.AspNetCore.Http;

namespace Berth.UnitTests.Defaults;

public sealed class ManagementAccessTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("203.0.113.7");

    [Theory]
    [InlineData("/metrics", 8081, true)]
    [InlineData("/health/ready", 8081, true)]
    [InlineData("/metrics", 8080, false)]
    [InlineData("/health/live", 8080, false)]
    [InlineData("/v1/responses", 8080, true)]
    [InlineData("/v1/responses", 8081, false)]
    public void Should_serve_health_and_metrics_only_on_the_management_port_and_nothing_else_there(string path, int localPort, bool served)
    {
        var access = new ManagementAccess(port: 8081, tenantFacing: true);

        Assert.Equal(served, access.Serves(new PathString(path), localPort, Remote));
    }

    [Fact]
    public void Should_serve_health_and_metrics_of_a_tenant_facing_service_to_this_machine_only_when_no_management_port_is_set()
    {
        var access = new ManagementAccess(port: null, tenantFacing: true);

        Assert.False(access.Serves("/metrics", 8080, Remote));
        Assert.False(access.Serves("/health/ready", 8080, null));
        Assert.True(access.Serves("/metrics", 8080, IPAddress.Loopback));
        Assert.True(access.Serves("/metrics", 8080, IPAddress.Loopback.MapToIPv6()));
        Assert.True(access.Serves("/v1/responses", 8080, Remote));
        Assert.True(new ManagementAccess(port: null, tenantFacing: false).Serves("/metrics", 8080, Remote));
    }
}
