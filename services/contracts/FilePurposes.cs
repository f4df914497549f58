namespace Berth.Contracts;

/// <summary>The <c>purpose</c> values of <c>POST /v1/files</c>, as OpenAI's SDKs name them.</summary>
public static class FilePurposes
{
    public const string Assistants = "assistants";
    public const string UserData = "user_data";
    public const string Vision = "vision";

    /// <summary>What Berth keeps a file for: a container's <c>/mnt/data</c>, or a model's input.</summary>
    public static IReadOnlySet<string> Accepted { get; } = new HashSet<string>(StringComparer.Ordinal) { Assistants, UserData, Vision };

    /// <summary>Purposes of APIs Berth does not have (batches, fine-tuning, evals): refused by name rather than kept for nothing.</summary>
    public static IReadOnlySet<string> Refused { get; } = new HashSet<string>(StringComparer.Ordinal) { "batch", "fine-tune", "evals" };
}
