using System.ComponentModel.DataAnnotations;
using Berth.ServiceDefaults.Images;
using Microsoft.Extensions.Configuration;

namespace Berth.UnitTests.Defaults;

/// <summary>The operator's list of sandbox images: read one value per key, checked at start-up, and what it lets each tenant ask for.</summary>
public sealed class ImageCatalogTests
{
    private static ImageCatalog Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var catalog = new ImageCatalog();
        catalog.Bind(configuration);
        return catalog;
    }

    private static List<string> Problems(ImageCatalog catalog) =>
        [.. catalog.Validate(new ValidationContext(catalog)).Select(r => r.ErrorMessage!)];

    [Fact]
    public void Should_offer_the_default_and_every_listed_image_and_narrow_them_for_a_tenant_that_has_its_own_list()
    {
        var catalog = Read(
            ("Images:0:Name", "science"), ("Images:0:Reference", "berth-sandbox-science:latest"), ("Images:0:Warm", "1"),
            ("Images:1:Name", "node"), ("Images:1:Reference", "registry.example/node:22"),
            ("Tenants:acme:Images:0", "node"), ("Tenants:boxed:Images:0", "default"));

        Assert.Empty(Problems(catalog));
        Assert.Equal(1, catalog.Find("science")!.Warm);
        Assert.Equal(["default", "science", "node"], catalog.NamesFor("globex"));
        Assert.Equal(["default", "node"], catalog.NamesFor("acme"));
        Assert.Equal(["default"], catalog.NamesFor("boxed"));
        Assert.Null(catalog.Refusal("globex", "science"));
        Assert.Null(catalog.Refusal("boxed", "default"));
        Assert.Equal("The image 'science' is not one this deployment offers you. Supported values are: 'default', 'node'.", catalog.Refusal("acme", "science"));
        Assert.NotNull(catalog.Refusal("globex", "Science"));
    }

    [Fact]
    public void Should_offer_only_the_default_when_no_image_is_listed()
    {
        var catalog = Read();

        Assert.Empty(Problems(catalog));
        Assert.Equal(["default"], catalog.NamesFor("local"));
        Assert.NotNull(catalog.Refusal("local", "science"));
        Assert.True(catalog.Refusal("local", new string('x', 100_000))!.Length < 300, "a huge name is quoted shortened");
    }

    [Theory]
    [InlineData("default", "not 'default'")]
    [InlineData("Science", "lower-case")]
    [InlineData("../x", "lower-case")]
    [InlineData("", "lower-case")]
    public void Should_refuse_at_start_up_a_name_that_cannot_be_a_queue_or_label(string name, string expected)
    {
        var problems = Problems(Read(("Images:0:Name", name), ("Images:0:Reference", "r:latest")));

        Assert.Contains(problems, p => p.Contains("Images:0:Name", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_refuse_at_start_up_a_twice_listed_name_a_missing_reference_a_bad_warm_count_and_a_tenant_naming_an_unknown_image()
    {
        var problems = Problems(Read(
            ("Images:0:Name", "science"), ("Images:0:Reference", "a:1"),
            ("Images:1:Name", "science"), ("Images:1:Reference", " "), ("Images:1:Warm", "-1"),
            ("Tenants:acme:Images:0", "gpu")));

        Assert.Contains(problems, p => p.Contains("Images:1:Name 'science' is listed twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Images:1:Reference", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Images:1:Warm is -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Tenants:acme:Images names 'gpu'", StringComparison.Ordinal));
    }
}
