using System.ComponentModel.DataAnnotations;
using Berth.ServiceDefaults.Models;
using Microsoft.Extensions.Configuration;

namespace Berth.UnitTests.Defaults;

/// <summary>The operator's model catalog: read from settings one value per key, checked at start-up, and what it lets each tenant ask for.</summary>
public sealed class ModelCatalogTests
{
    private static ModelCatalog Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var catalog = new ModelCatalog();
        catalog.Bind(configuration);
        return catalog;
    }

    private static List<string> Problems(ModelCatalog catalog) =>
        [.. catalog.Validate(new ValidationContext(catalog)).Select(r => r.ErrorMessage!)];

    [Fact]
    public void Should_read_each_entry_and_narrow_the_list_for_a_tenant_that_has_its_own()
    {
        var catalog = Read(
            ("Models:0:Id", "gpt-4.1"), ("Models:0:ApiKey", "sk-upstream"), ("Models:0:ContextTokens", "1047576"),
            ("Models:1:Id", "local"), ("Models:1:BaseUrl", "http://127.0.0.1:8000/v1"), ("Models:1:Name", "meta-llama/Llama-3.1-8B-Instruct"), ("Models:1:MaxConcurrency", "4"),
            ("Tenants:acme:Models:0", "local"), ("Tenants:acme:MaxSessions", "3"));

        Assert.Empty(Problems(catalog));
        Assert.Equal(("meta-llama/Llama-3.1-8B-Instruct", 4), (catalog.Find("local")!.Name, catalog.Find("local")!.MaxConcurrency));
        Assert.Equal(1047576, catalog.Find("gpt-4.1")!.ContextTokens);
        Assert.Equal(["local"], catalog.VisibleTo("acme").Select(m => m.Id));
        Assert.Equal(["gpt-4.1", "local"], catalog.VisibleTo("globex").Select(m => m.Id));
        Assert.Null(catalog.Refusal("globex", "gpt-4.1"));
        Assert.Equal("The model 'gpt-4.1' does not exist or you do not have access to it.", catalog.Refusal("acme", "gpt-4.1"));
        Assert.NotNull(catalog.Refusal("acme", "gpt-4o"));
    }

    [Fact]
    public void Should_let_any_well_formed_name_through_and_refuse_a_huge_or_spaced_one_when_there_is_no_catalog()
    {
        var catalog = Read();

        Assert.True(catalog.IsEmpty);
        Assert.Null(catalog.Refusal("local", "ft:gpt-4o-mini:acme:custom:abc123"));
        Assert.Null(catalog.Refusal("local", new string('m', ModelCatalog.MaxNameLength)));
        Assert.NotNull(catalog.Refusal("local", new string('m', ModelCatalog.MaxNameLength + 1)));
        Assert.NotNull(catalog.Refusal("local", "gpt 4"));
        Assert.NotNull(catalog.Refusal("local", "gpt\u00004"));
    }

    [Theory]
    [InlineData("Models:0:Id", "", "Models:0:Id must be a model name")]
    [InlineData("Models:0:BaseUrl", "ftp://models.internal/v1", "Models:0:BaseUrl must be an http:// or https:// URL")]
    [InlineData("Models:0:Name", "two words", "Models:0:Name must be a model name")]
    [InlineData("Models:0:ContextTokens", "0", "Models:0:ContextTokens is 0")]
    [InlineData("Models:0:MaxConcurrency", "-1", "Models:0:MaxConcurrency is -1")]
    [InlineData("Models:1:Id", "a", "Models:1:Id 'a' is listed twice")]
    [InlineData("Tenants:acme:Models:0", "b", "Tenants:acme:Models names 'b', which is not in the catalog")]
    public void Should_refuse_to_start_naming_the_setting_when_an_entry_is_wrong(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string> { ["Models:0:Id"] = "a" };
        settings[key] = value;

        var problems = Problems(Read([.. settings.Select(s => (s.Key, s.Value))]));

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_refuse_a_tenants_model_list_when_there_is_no_catalog()
    {
        Assert.Contains(Problems(Read(("Tenants:acme:Models:0", "gpt-4.1"))), p => p.StartsWith("Tenants:acme:Models narrows a catalog that does not exist", StringComparison.Ordinal));
    }
}
