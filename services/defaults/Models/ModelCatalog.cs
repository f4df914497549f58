using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Berth.ServiceDefaults.Models;

/// <summary>
/// The models clients may ask for, as the operator lists them, one entry per index so every
/// value can be exported from a shell (<c>Models__0__Id=gpt-4.1</c>), and per tenant the ids it
/// may use (<c>Tenants__acme__Models__0=gpt-4.1</c>). The api checks names against it before
/// anything is queued; the planner takes each entry's address and key from it. Empty: no
/// catalog, and every name goes to <c>OPENAI_BASE_URL</c>.
/// </summary>
public sealed class ModelCatalog : IValidatableObject
{
    public const string Section = "Models";

    /// <summary>Longer than any model or deployment name we know of; a name is a cached client and a metric label, so it is bounded.</summary>
    public const int MaxNameLength = 256;

    public List<ModelEntry> Models { get; } = [];

    /// <summary>For each tenant that has a list of its own, the ids it may use.</summary>
    public Dictionary<string, List<string>> TenantModels { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Models.Count == 0;

    public void Bind(IConfiguration configuration)
    {
        configuration.GetSection(Section).Bind(Models);
        TenantLists.Read(configuration, Section, TenantModels);
    }

    public ModelEntry? Find(string id) => Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    /// <summary>The entries the tenant may use: its own list when it has one, else every entry.</summary>
    public IEnumerable<ModelEntry> VisibleTo(string tenant) =>
        TenantModels.TryGetValue(tenant, out var own) ? Models.Where(m => own.Contains(m.Id, StringComparer.Ordinal)) : Models;

    /// <summary>
    /// Null when the tenant may ask for the model; otherwise why not, in OpenAI's words. Without
    /// a catalog any well-formed name may be asked for.
    /// </summary>
    public string? Refusal(string tenant, string model)
    {
        if (NameProblem(model) is { } problem)
        {
            return problem;
        }

        return IsEmpty || VisibleTo(tenant).Any(m => m.Id == model)
            ? null
            : $"The model '{model}' does not exist or you do not have access to it.";
    }

    /// <summary>Why a string cannot be a model name: too long, or with a control character or white space in it.</summary>
    public static string? NameProblem(string model) =>
        model.Length > MaxNameLength ? $"Invalid 'model': a model name has at most {MaxNameLength} characters, but got {model.Length}."
        : model.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) ? "Invalid 'model': a model name has no spaces or control characters."
        : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Models.Count; i++)
        {
            var entry = Models[i];
            var where = $"{Section}:{i}";
            if (string.IsNullOrWhiteSpace(entry.Id) || NameProblem(entry.Id) is not null)
            {
                yield return new ValidationResult($"{where}:Id must be a model name of 1 to {MaxNameLength} characters without spaces; got '{entry.Id}'.", [nameof(Models)]);
            }
            else if (Models.Take(i).Any(m => m.Id == entry.Id))
            {
                yield return new ValidationResult($"{where}:Id '{entry.Id}' is listed twice.", [nameof(Models)]);
            }

            if (entry.BaseUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                yield return new ValidationResult($"{where}:BaseUrl must be an http:// or https:// URL; got '{url}'.", [nameof(Models)]);
            }

            if (entry.Name is { } name && (name.Length == 0 || NameProblem(name) is not null))
            {
                yield return new ValidationResult($"{where}:Name must be a model name of 1 to {MaxNameLength} characters without spaces; got '{name}'.", [nameof(Models)]);
            }

            if (entry.ContextTokens is < 1)
            {
                yield return new ValidationResult($"{where}:ContextTokens is {entry.ContextTokens}; give the model's context window in tokens, 1 or more.", [nameof(Models)]);
            }

            if (entry.MaxConcurrency is < 1)
            {
                yield return new ValidationResult($"{where}:MaxConcurrency is {entry.MaxConcurrency}; give 1 or more, or leave it unset for no limit.", [nameof(Models)]);
            }
        }

        foreach (var (tenant, ids) in TenantModels)
        {
            if (IsEmpty)
            {
                yield return new ValidationResult($"Tenants:{tenant}:Models narrows a catalog that does not exist: list the models first (Models:0:Id, …).", [nameof(TenantModels)]);
                yield break;
            }

            foreach (var id in ids.Where(id => Find(id) is null))
            {
                yield return new ValidationResult($"Tenants:{tenant}:Models names '{id}', which is not in the catalog (Models:<n>:Id).", [nameof(TenantModels)]);
            }
        }
    }
}

/// <summary>One model clients may ask for, and where the planner finds it.</summary>
public sealed class ModelEntry
{
    /// <summary>What clients send as <c>model</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The OpenAI-compatible endpoint that serves it; unset: <c>OPENAI_BASE_URL</c>, else OpenAI.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The endpoint's key; unset: <c>OPENAI_API_KEY</c>. Read by the planner only.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model's name at the endpoint (an Azure deployment, a vLLM model path); unset: the id.</summary>
    public string? Name { get; set; }

    /// <summary>The model's context window in tokens; unset: not known.</summary>
    public int? ContextTokens { get; set; }

    /// <summary>Calls to it in flight at once from one planner; unset: no limit but the planner's own.</summary>
    public int? MaxConcurrency { get; set; }
}
