using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Berth.Contracts;
using Microsoft.Extensions.Configuration;

namespace Berth.ServiceDefaults.Images;

/// <summary>
/// The sandbox images clients may ask for by name, as the operator lists them, one entry per
/// index so every value can be exported from a shell (<c>Images__0__Name=science</c>,
/// <c>Images__0__Reference=berth-sandbox-science:latest</c>), and per tenant the names it may use
/// (<c>Tenants__acme__Images__0=science</c>). The api checks a name against it before anything
/// is made; each executor serves the listed images it has. The name <c>default</c> is always
/// there: the executors' own <c>Executor:Image</c>.
/// </summary>
public sealed partial class ImageCatalog : IValidatableObject
{
    public const string Section = "Images";

    public const string Default = SandboxImages.Default;

    public const int MaxNameLength = 64;

    public List<ImageEntry> Images { get; } = [];

    /// <summary>For each tenant that has a list of its own, the names it may use besides <see cref="Default"/>.</summary>
    public Dictionary<string, List<string>> TenantImages { get; } = new(StringComparer.Ordinal);

    public void Bind(IConfiguration configuration)
    {
        configuration.GetSection(Section).Bind(Images);
        TenantLists.Read(configuration, Section, TenantImages);
    }

    public ImageEntry? Find(string name) => Images.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal));

    /// <summary>The names the tenant may ask for: <see cref="Default"/>, then its own list when it has one, else every entry.</summary>
    public IEnumerable<string> NamesFor(string tenant) =>
        [Default, .. Images.Select(i => i.Name).Where(name => !TenantImages.TryGetValue(tenant, out var own) || own.Contains(name, StringComparer.Ordinal))];

    /// <summary>Null when the tenant may ask for the image; otherwise why not, naming the images it may ask for.</summary>
    public string? Refusal(string tenant, string name)
    {
        var allowed = NamesFor(tenant).ToList();
        return allowed.Contains(name, StringComparer.Ordinal)
            ? null
            : $"The image '{Shortened(name)}' is not one this deployment offers you. Supported values are: {string.Join(", ", allowed.Select(n => $"'{n}'"))}.";
    }

    private static string Shortened(string text) => text.Length <= MaxNameLength ? text : text[..MaxNameLength] + "…";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Images.Count; i++)
        {
            var entry = Images[i];
            var where = $"{Section}:{i}";
            if (!NameShape().IsMatch(entry.Name) || entry.Name == Default)
            {
                yield return new ValidationResult(
                    $"{where}:Name must be 1 to {MaxNameLength} lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, and not '{Default}'; got '{entry.Name}'.",
                    [nameof(Images)]);
            }
            else if (Images.Take(i).Any(m => m.Name == entry.Name))
            {
                yield return new ValidationResult($"{where}:Name '{entry.Name}' is listed twice.", [nameof(Images)]);
            }

            if (string.IsNullOrWhiteSpace(entry.Reference))
            {
                yield return new ValidationResult($"{where}:Reference must name the image (for example berth-sandbox-science:latest).", [nameof(Images)]);
            }

            if (entry.Warm is < 0 or > 1000)
            {
                yield return new ValidationResult($"{where}:Warm is {entry.Warm}; give 0 to 1000 warm containers.", [nameof(Images)]);
            }
        }

        foreach (var (tenant, names) in TenantImages)
        {
            foreach (var name in names.Where(name => name != Default && Find(name) is null))
            {
                yield return new ValidationResult($"Tenants:{tenant}:Images names '{name}', which is not in the list (Images:<n>:Name).", [nameof(TenantImages)]);
            }
        }
    }

    /// <summary>A name is part of a queue's name and a container label: plain and short.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NameShape();
}

/// <summary>One sandbox image clients may ask for.</summary>
public sealed class ImageEntry
{
    /// <summary>What clients send as <c>image</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The image on the executors' Docker engines.</summary>
    public string Reference { get; set; } = "";

    /// <summary>Warm containers each executor keeps of it, at the default memory limit.</summary>
    public int Warm { get; set; }
}
