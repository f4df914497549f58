using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Contracts;
using Berth.ServiceDefaults;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>The tools a <c>POST /v1/responses</c> body offers, and its <c>tool_choice</c>, read as OpenAI reads them.</summary>
internal static partial class ToolsParser
{
    private const string ShellName = "shell";
    private const int MaxFunctions = 128;

    // The hosted tools OpenAI's Responses API knows by name; a function may not take one.
    private static readonly HashSet<string> BuiltIn = [ShellName, "local_shell", "apply_patch", "code_interpreter", "file_search", "web_search",
        "web_search_preview", "computer_use_preview", "image_generation", "mcp", "custom"];

    /// <summary>The request's <c>tools</c>: at most one <c>shell</c>, and the client's functions.</summary>
    public static OfferedTools Parse(JsonElement body, IReadOnlyList<string> egressDomains)
    {
        var tools = Optional(body, "tools");
        if (tools is null || tools.Value.ValueKind == JsonValueKind.Null)
        {
            return new OfferedTools(null, []);
        }

        if (tools.Value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'tools': expected an array, but got {Describe(tools.Value)} instead.", "tools", RequestErrorCodes.InvalidType);
        }

        ShellToolSpec? shell = null;
        string? shellPath = null;
        IReadOnlyList<Berth.Api.Skills.AskedSkill> skills = [];
        var functions = new List<FunctionToolSpec>();
        var index = 0;
        foreach (var tool in tools.Value.EnumerateArray())
        {
            var path = $"tools[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{path}': expected an object, but got {Describe(tool)} instead.", path, RequestErrorCodes.InvalidType);
            }

            var type = RequiredString(tool, "type", path);
            switch (type)
            {
                case "shell" when shell is not null:
                    throw Invalid($"Invalid '{path}': only one 'shell' tool may be given.", path, RequestErrorCodes.InvalidValue);
                case "shell":
                    shell = WithApproval(ParseEnvironment(tool, path, egressDomains), tool, path);
                    shellPath = path;
                    skills = shell.Environment == ShellEnvironments.Auto && Optional(tool, "environment") is { ValueKind: JsonValueKind.Object } environment
                        ? Berth.Api.Skills.AskedSkills.Parse(environment, $"{path}.environment")
                        : [];
                    break;
                case "function":
                    var function = ParseFunction(tool, path);
                    if (functions.Any(f => f.Name == function.Name))
                    {
                        throw Invalid($"Invalid '{path}.name': duplicate function name '{function.Name}'.", $"{path}.name", RequestErrorCodes.InvalidValue);
                    }

                    functions.Add(function);
                    break;
                default:
                    throw Invalid($"Invalid value for '{path}.type': '{Shortened(type)}'. Supported values are: 'shell' and 'function'.", $"{path}.type", RequestErrorCodes.InvalidValue);
            }
        }

        if (functions.Count > MaxFunctions)
        {
            throw Invalid($"Invalid 'tools': at most {MaxFunctions} functions may be given, but got {functions.Count}.", "tools", RequestErrorCodes.ArrayAboveMaxLength);
        }

        return new OfferedTools(shell, functions) { ShellPath = shellPath, Skills = skills };
    }

    /// <summary>
    /// A function tool as OpenAI takes it. Its name follows OpenAI's rule, and may not be a
    /// built-in tool's: the model would not know which one it called.
    /// </summary>
    private static FunctionToolSpec ParseFunction(JsonElement tool, string path)
    {
        foreach (var property in tool.EnumerateObject())
        {
            if (property.Name is not ("type" or "name" or "description" or "parameters" or "strict" or "defer_loading"))
            {
                throw Invalid($"Unknown parameter: '{path}.{Shortened(property.Name)}'.", $"{path}.{Shortened(property.Name)}", RequestErrorCodes.UnknownParameter);
            }
        }

        var name = RequiredString(tool, "name", path);
        if (!FunctionName().IsMatch(name))
        {
            throw Invalid($"Invalid '{path}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{{1,64}}$'.", $"{path}.name", RequestErrorCodes.InvalidValue);
        }

        if (BuiltIn.Contains(name))
        {
            throw Invalid($"Invalid '{path}.name': '{name}' is the name of a built-in tool; give the function another name.", $"{path}.name", RequestErrorCodes.InvalidValue);
        }

        if (Optional(tool, "defer_loading") is { ValueKind: JsonValueKind.True })
        {
            throw Invalid($"'{path}.defer_loading' is not supported: Berth has no tool search, so every function is offered to the model.", $"{path}.defer_loading", RequestErrorCodes.UnsupportedParameter);
        }

        var parameters = Optional(tool, "parameters");
        if (parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw Invalid($"Invalid type for '{path}.parameters': expected an object, but got {Describe(parameters.Value)} instead.", $"{path}.parameters", RequestErrorCodes.InvalidType);
        }

        var description = Optional(tool, "description");
        if (description is { ValueKind: not (JsonValueKind.String or JsonValueKind.Null) })
        {
            throw Invalid($"Invalid type for '{path}.description': expected a string, but got {Describe(description.Value)} instead.", $"{path}.description", RequestErrorCodes.InvalidType);
        }

        var strict = Optional(tool, "strict");
        if (strict is { ValueKind: not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) })
        {
            throw Invalid($"Invalid type for '{path}.strict': expected a boolean, but got {Describe(strict.Value)} instead.", $"{path}.strict", RequestErrorCodes.InvalidType);
        }

        return new FunctionToolSpec
        {
            Name = name,
            Description = description is { ValueKind: JsonValueKind.String } given ? given.GetString() : null,
            Parameters = parameters is { ValueKind: JsonValueKind.Object } schema ? schema.GetRawText() : null,
            Strict = strict?.ValueKind != JsonValueKind.False,
        };
    }

    /// <summary>
    /// The request's <c>tool_choice</c>: <c>auto</c>, <c>none</c>, <c>required</c>, or one tool
    /// that was offered (<c>{"type": "function", "name"}</c> or <c>{"type": "shell"}</c>).
    /// </summary>
    public static ToolChoiceSpec? ParseChoice(JsonElement body, OfferedTools tools)
    {
        var choice = Optional(body, "tool_choice");
        switch (choice?.ValueKind)
        {
            case null or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                var mode = choice.Value.GetString();
                if (mode is not (ToolChoiceSpec.Auto or ToolChoiceSpec.None or ToolChoiceSpec.Required))
                {
                    throw Invalid($"Invalid value for 'tool_choice': '{Shortened(mode ?? "")}'. Supported values are: 'none', 'auto', and 'required'.", "tool_choice", RequestErrorCodes.InvalidValue);
                }

                if (mode == ToolChoiceSpec.Required && tools.Shell is null && tools.Functions.Count == 0)
                {
                    throw Invalid("Invalid value for 'tool_choice': 'required' needs at least one tool in 'tools'.", "tool_choice", RequestErrorCodes.InvalidValue);
                }

                return new ToolChoiceSpec { Mode = mode };
            case JsonValueKind.Object:
                var type = RequiredString(choice.Value, "type", "tool_choice");
                if (type == "shell")
                {
                    return tools.Shell is not null
                        ? new ToolChoiceSpec { Mode = ToolChoiceSpec.Named, Name = ShellName }
                        : throw Invalid("Invalid 'tool_choice': the shell tool was chosen, but 'tools' has no shell tool.", "tool_choice", RequestErrorCodes.InvalidValue);
                }

                if (type != "function")
                {
                    throw Invalid($"Invalid value for 'tool_choice.type': '{Shortened(type)}'. Berth supports 'function' and 'shell'.", "tool_choice.type", RequestErrorCodes.InvalidValue);
                }

                var name = RequiredString(choice.Value, "name", "tool_choice");
                return tools.Functions.Any(f => f.Name == name)
                    ? new ToolChoiceSpec { Mode = ToolChoiceSpec.Named, Name = name }
                    : throw Invalid($"Invalid 'tool_choice': function '{Shortened(name)}' is not in 'tools'.", "tool_choice.name", RequestErrorCodes.InvalidValue);
            default:
                throw Invalid($"Invalid type for 'tool_choice': expected a string or an object, but got {Describe(choice.Value)} instead.", "tool_choice", RequestErrorCodes.InvalidType);
        }
    }

    private static ShellToolSpec ParseEnvironment(JsonElement tool, string path, IReadOnlyList<string> egressDomains)
    {
        var environment = Optional(tool, "environment");
        if (environment is null || environment.Value.ValueKind == JsonValueKind.Null)
        {
            return new ShellToolSpec();
        }

        var envPath = $"{path}.environment";
        if (environment.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{envPath}': expected an object, but got {Describe(environment.Value)} instead.", envPath, RequestErrorCodes.InvalidType);
        }

        var type = RequiredString(environment.Value, "type", envPath);
        RefuseWhatContainersCannotTakeYet(environment.Value, envPath);
        var policy = Optional(environment.Value, "network_policy");
        if (policy is { ValueKind: not JsonValueKind.Null } && type == ShellEnvironments.Reference)
        {
            throw Invalid($"Invalid '{envPath}.network_policy': a referenced container keeps the policy it was created with.", $"{envPath}.network_policy", RequestErrorCodes.InvalidValue);
        }

        return type switch
        {
            ShellEnvironments.Auto => new ShellToolSpec
            {
                NetworkPolicy = policy is { } given ? NetworkPolicyOf(given, $"{envPath}.network_policy", egressDomains) : null,
                MemoryMb = MemoryOf(environment.Value, envPath),
                Image = Containers.ImageNames.Parse(environment.Value, $"{envPath}.image"),
                FileIds = FileIdsOf(environment.Value, envPath),
            },
            ShellEnvironments.Reference => new ShellToolSpec { Environment = type, ContainerId = RequiredString(environment.Value, "container_id", envPath) },
            _ => throw Invalid($"Invalid value for '{envPath}.type': '{type}'. Supported values are: 'container_auto' and 'container_reference'.", $"{envPath}.type", RequestErrorCodes.InvalidValue),
        };
    }

    /// <summary>
    /// Fields of OpenAI's <c>container_auto</c> that Berth does not act on yet are refused by
    /// name rather than dropped: a client that sent files or a memory size would otherwise
    /// believe the container has them.
    /// </summary>
    private static void RefuseWhatContainersCannotTakeYet(JsonElement environment, string envPath)
    {
        foreach (var property in environment.EnumerateObject())
        {
            var name = property.Name;
            if (name is not ("type" or "network_policy" or "container_id" or "file_ids" or "memory_limit" or "skills" or "image"))
            {
                throw Invalid($"Unknown parameter: '{envPath}.{Shortened(name)}'.", $"{envPath}.{Shortened(name)}", RequestErrorCodes.UnknownParameter);
            }

            var given = property.Value.ValueKind switch
            {
                JsonValueKind.Null => false,
                JsonValueKind.Array => property.Value.GetArrayLength() > 0,
                _ => true,
            };
            if (given && name is "file_ids" && environment.GetProperty("type").ValueKind == JsonValueKind.String && environment.GetProperty("type").GetString() == ShellEnvironments.Reference)
            {
                throw Invalid($"Invalid '{envPath}.file_ids': add files to a referenced container with POST /v1/containers/{{id}}/files and {{\"file_id\"}}.", $"{envPath}.file_ids", RequestErrorCodes.InvalidValue);
            }

            if (given && name is "memory_limit" && environment.GetProperty("type").ValueKind == JsonValueKind.String && environment.GetProperty("type").GetString() == ShellEnvironments.Reference)
            {
                throw Invalid($"Invalid '{envPath}.memory_limit': a referenced container keeps the memory it was created with.", $"{envPath}.memory_limit", RequestErrorCodes.InvalidValue);
            }

            if (given && name is "image" && environment.GetProperty("type").ValueKind == JsonValueKind.String && environment.GetProperty("type").GetString() == ShellEnvironments.Reference)
            {
                throw Invalid($"Invalid '{envPath}.image': a referenced container keeps the image it was created from.", $"{envPath}.image", RequestErrorCodes.InvalidValue);
            }

            if (given && name is "skills" && environment.GetProperty("type").ValueKind == JsonValueKind.String && environment.GetProperty("type").GetString() == ShellEnvironments.Reference)
            {
                throw Invalid($"Invalid '{envPath}.skills': a referenced container keeps the skills it was created with.", $"{envPath}.skills", RequestErrorCodes.InvalidValue);
            }
        }
    }

    /// <summary>
    /// The shell tool's <c>require_approval</c> (a Berth extension): <c>"never"</c> (the default),
    /// <c>"always"</c>, or <c>{"patterns": [...]}</c>, regular expressions checked here for size
    /// and validity so that a bad one is the client's 400, not a failed run.
    /// </summary>
    private static ShellToolSpec WithApproval(ShellToolSpec shell, JsonElement tool, string path)
    {
        var approvalPath = $"{path}.require_approval";
        var given = Optional(tool, "require_approval");
        switch (given?.ValueKind)
        {
            case null or JsonValueKind.Null:
                return shell;
            case JsonValueKind.String when given.Value.GetString() is ApprovalModes.Never or ApprovalModes.Always:
                return shell with { RequireApproval = given.Value.GetString()! };
            case JsonValueKind.Object:
                break;
            default:
                throw Invalid($"Invalid value for '{approvalPath}': supported values are 'never', 'always', or {{\"patterns\": [regular expressions]}}.", approvalPath, RequestErrorCodes.InvalidValue);
        }

        foreach (var property in given.Value.EnumerateObject())
        {
            if (property.Name != "patterns")
            {
                throw Invalid($"Unknown parameter: '{approvalPath}.{Shortened(property.Name)}'.", $"{approvalPath}.{Shortened(property.Name)}", RequestErrorCodes.UnknownParameter);
            }
        }

        var patternsPath = $"{approvalPath}.patterns";
        var patterns = Optional(given.Value, "patterns") ?? throw Invalid($"Missing required parameter: '{patternsPath}'.", patternsPath, RequestErrorCodes.MissingRequiredParameter);
        if (patterns.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for '{patternsPath}': expected an array of strings, but got {Describe(patterns)} instead.", patternsPath, RequestErrorCodes.InvalidType);
        }

        var count = patterns.GetArrayLength();
        if (count is 0 or > ApprovalPatterns.MaxCount)
        {
            throw Invalid($"Invalid '{patternsPath}': give 1 to {ApprovalPatterns.MaxCount} patterns, but got {count}.", patternsPath, count == 0 ? RequestErrorCodes.EmptyArray : RequestErrorCodes.ArrayAboveMaxLength);
        }

        var list = new List<string>(count);
        foreach (var pattern in patterns.EnumerateArray())
        {
            var patternPath = $"{patternsPath}[{list.Count}]";
            if (pattern.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"Invalid type for '{patternPath}': expected a string, but got {Describe(pattern)} instead.", patternPath, RequestErrorCodes.InvalidType);
            }

            if (ApprovalPatterns.Problem(pattern.GetString()!) is { } problem)
            {
                throw Invalid($"Invalid '{patternPath}': {problem}", patternPath, RequestErrorCodes.InvalidValue);
            }

            list.Add(pattern.GetString()!);
        }

        return shell with { RequireApproval = ApprovalModes.Patterns, ApprovalPatterns = list };
    }

    /// <summary><c>container_auto</c>'s <c>file_ids</c>, checked for shape here and found by the api before the response is submitted.</summary>
    private static IReadOnlyList<string> FileIdsOf(JsonElement environment, string envPath)
    {
        var (ids, error) = Containers.UploadedFileCopies.ParseIds(environment, "file_ids", $"{envPath}.file_ids");
        return error is not null ? throw new RequestException(error) : ids ?? [];
    }

    /// <summary><c>container_auto</c>'s <c>memory_limit</c>, in megabytes; null for the executors' default.</summary>
    private static int? MemoryOf(JsonElement environment, string envPath)
    {
        if (!environment.TryGetProperty("memory_limit", out var memory) || memory.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return memory.ValueKind == JsonValueKind.String && Containers.MemoryLimits.TryParse(memory.GetString(), out var megabytes)
            ? megabytes
            : throw Invalid($"Invalid '{envPath}.memory_limit': supported values are {Containers.MemoryLimits.Supported}.", $"{envPath}.memory_limit", RequestErrorCodes.InvalidValue);
    }

    private static NetworkPolicySpec? NetworkPolicyOf(JsonElement value, string param, IReadOnlyList<string> egressDomains)
    {
        var (policy, error) = Security.NetworkPolicyParser.Parse(value, param, egressDomains);
        return error is null ? policy : throw new RequestException(error);
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();
}

/// <summary>A request's tools: its shell tool, if any, and the client's functions.</summary>
internal sealed record OfferedTools(ShellToolSpec? Shell, IReadOnlyList<FunctionToolSpec> Functions)
{
    /// <summary>The skills <c>container_auto</c> asks for, found by the api before the response is submitted.</summary>
    public IReadOnlyList<Berth.Api.Skills.AskedSkill> Skills { get; init; } = [];

    /// <summary>Where the shell tool is in the request (<c>tools[2]</c>), for errors found after parsing.</summary>
    public string? ShellPath { get; init; }
}
