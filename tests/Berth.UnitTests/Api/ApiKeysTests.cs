using Berth.Api.Security;
using Microsoft.Extensions.Configuration;

namespace Berth.UnitTests.Api;

public sealed class ApiKeysTests
{
    private static ApiKeys Load(string? keys, string? file = null) => ApiKeys.From(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["BERTH_API_KEYS"] = keys, ["BERTH_API_KEYS_FILE"] = file })
        .Build());

    [Fact]
    public void Should_find_the_tenant_of_each_key_and_no_tenant_for_anything_else()
    {
        var keys = Load("acme:aaaaaaaaaaaaaaaa1, globex:bbbbbbbbbbbbbbbb2");

        Assert.Equal("acme", keys.TenantOf("aaaaaaaaaaaaaaaa1"));
        Assert.Equal("globex", keys.TenantOf("bbbbbbbbbbbbbbbb2"));
        Assert.Null(keys.TenantOf("aaaaaaaaaaaaaaaa2"));
        Assert.Null(keys.TenantOf(""));
        Assert.Equal(2, keys.Count);
    }

    [Fact]
    public void Should_read_keys_from_a_file_with_comments()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["# tenants", "", "initech:cccccccccccccccc3"]);
            var keys = Load("acme:aaaaaaaaaaaaaaaa1", file);

            Assert.Equal("initech", keys.TenantOf("cccccccccccccccc3"));
            Assert.Equal("acme", keys.TenantOf("aaaaaaaaaaaaaaaa1"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Should_be_empty_when_no_key_is_configured() => Assert.True(Load(null).IsEmpty);

    [Theory]
    [InlineData("acme:short", "shorter than 16")]
    [InlineData("aaaaaaaaaaaaaaaa1", "tenant:key")]
    [InlineData("Acme!:aaaaaaaaaaaaaaaa1", "tenant:key")]
    [InlineData("a:aaaaaaaaaaaaaaaa1,b:aaaaaaaaaaaaaaaa1", "twice")]
    public void Should_refuse_to_start_when_a_key_is_weak_or_malformed(string keys, string reason)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Load(keys));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }
}
