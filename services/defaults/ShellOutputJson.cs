using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.ServiceDefaults;

/// <summary>
/// The <c>output</c> array of a <c>shell_call_output</c>, as OpenAI writes it. The api renders it
/// to clients and the planner hands the same JSON to the model, so both share this one shape.
/// </summary>
public static class ShellOutputJson
{
    public static string Serialize(IEnumerable<CommandOutput> outputs) =>
        JsonSerializer.Serialize(Shape(outputs), ShellOutputJsonContext.Default.IReadOnlyListShellOutputObject);

    /// <summary>The outputs as records, for a body that holds them.</summary>
    public static IReadOnlyList<ShellOutputObject> Shape(IEnumerable<CommandOutput> outputs) =>
    [
        .. outputs.Select(output => new ShellOutputObject(output.Stdout, output.Stderr,
            output.TimedOut || output.ExitCode is null ? new ShellOutcome("timeout") : new ShellOutcome("exit") { ExitCode = output.ExitCode })),
    ];
}

/// <summary>One command's output: what it wrote, and whether it exited (with its code) or ran out of time.</summary>
public sealed record ShellOutputObject(string Stdout, string Stderr, ShellOutcome Outcome);

public sealed record ShellOutcome(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExitCode { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(IReadOnlyList<ShellOutputObject>))]
internal sealed partial class ShellOutputJsonContext : JsonSerializerContext;
