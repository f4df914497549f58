using System.ComponentModel.DataAnnotations;

namespace Berth.Planner.Model;

/// <summary>
/// The OpenAI-compatible endpoint the planner calls. Section <c>OpenAI</c>; the standard
/// <c>OPENAI_BASE_URL</c> and <c>OPENAI_API_KEY</c> variables fill what the section leaves empty.
/// </summary>
internal sealed class ModelOptions : IValidatableObject
{
    public const string Section = "OpenAI";

    /// <summary>For example https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama) or a vLLM server.</summary>
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Retries of a 429, a 5xx or a dropped connection, with exponential backoff, before the response fails.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>Set from the configuration: the operator lists models (<c>Models:&lt;n&gt;:*</c>), each with its own endpoint, so none is needed here.</summary>
    public bool HasCatalog { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(BaseUrl) && string.IsNullOrWhiteSpace(ApiKey) && !HasCatalog)
        {
            yield return new ValidationResult(
                "No model configured: set OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL (for any OpenAI-compatible server: Azure OpenAI, vLLM, Ollama, LM Studio, or Berth's scripted model), or list models (Models__0__Id, Models__0__BaseUrl, …).",
                [nameof(BaseUrl), nameof(ApiKey)]);
        }

        if (!string.IsNullOrWhiteSpace(BaseUrl) && !(Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"OPENAI_BASE_URL must be an http:// or https:// URL; got '{BaseUrl}'.", [nameof(BaseUrl)]);
        }
    }
}
