using System.Text.Json;
using Berth.Contracts;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// The one function the model is offered. Its parameters mirror OpenAI's hosted shell action,
/// so a model trained on that tool feels at home, and its results come back as the JSON of a
/// <c>shell_call_output</c>'s <c>output</c> array.
/// </summary>
internal static class ShellTool
{
    public const string Name = "shell";

    /// <summary>
    /// The tool as offered for this container: its description says what the commands can reach,
    /// so the model does not try what cannot work, nor give up on what can; and which skills
    /// are at hand, as OpenAI's hosted shell tells it (the model reads a skill's SKILL.md itself
    /// when it needs it).
    /// </summary>
    public static ChatTool For(ShellToolSpec shell) => ChatTool.CreateFunctionTool(Name, Describe(shell.NetworkPolicy, shell.Skills), Parameters);

    public static string Describe(NetworkPolicySpec? network, IReadOnlyList<ContainerSkillSeed>? skills = null) =>
        "Run shell commands, one after another, in this session's Linux container. The working directory is /mnt/data, "
        + "and files there persist for the rest of the conversation. Each command runs under `sh -c`. "
        + (network is { Type: NetworkPolicySpec.Allowlist, AllowedDomains.Count: > 0 }
            ? $"The network is limited to HTTP and HTTPS through a proxy (HTTPS_PROXY is set), to these domains only: {string.Join(", ", network.AllowedDomains)}. Every other address is unreachable."
            : "There is no network.")
        + (skills is { Count: > 0 }
            ? "\nSkills are installed, read-only, each with a SKILL.md that says how to use it (read it before using the skill):"
                + string.Concat(skills.Select(skill => $"\n- {skill.Name} at {skill.Path}: {skill.Description}"))
            : "");

    private static readonly BinaryData Parameters = BinaryData.FromString("""
        {
          "type": "object",
          "properties": {
            "commands": { "type": "array", "items": { "type": "string" }, "description": "Commands to run in order." },
            "timeout_ms": { "type": "integer", "description": "Per-command time limit in milliseconds." },
            "max_output_length": { "type": "integer", "description": "Most characters of stdout and of stderr to return per command." }
          },
          "required": ["commands"]
        }
        """);

    /// <summary>Reads the model's arguments; null with a reason when they are not a valid shell call.</summary>
    public static (ShellCallSpec? Call, string? Problem) Parse(string callId, BinaryData arguments)
    {
        try
        {
            using var json = JsonDocument.Parse(arguments);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("commands", out var commands))
            {
                return (null, "the arguments have no 'commands' array");
            }

            // Models often send a lone string where a list was asked for; take it as one command.
            List<string> list = commands.ValueKind switch
            {
                JsonValueKind.String => [commands.GetString()!],
                JsonValueKind.Array when commands.EnumerateArray().All(c => c.ValueKind == JsonValueKind.String) =>
                    [.. commands.EnumerateArray().Select(c => c.GetString()!)],
                _ => [],
            };
            if (list.Count == 0)
            {
                return (null, "'commands' must be a non-empty array of strings");
            }

            return (new ShellCallSpec
            {
                CallId = callId,
                Commands = list,
                TimeoutMs = OptionalPositiveInt(root, "timeout_ms"),
                MaxOutputLength = OptionalPositiveInt(root, "max_output_length"),
            }, null);
        }
        catch (JsonException e)
        {
            return (null, $"the arguments are not JSON ({e.Message})");
        }
    }

    private static int? OptionalPositiveInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0
            ? number
            : null;
}
