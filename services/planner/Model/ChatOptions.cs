using Berth.Contracts;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// What a response asks of each model call, as chat completion options: the tools it offers and
/// how the model may use them, and the client's settings (temperature, output format, limits).
/// </summary>
internal static class ChatOptions
{
    /// <param name="step">The response's model call number, from 1.</param>
    public static ChatCompletionOptions For(ResponseSnapshot response, int step)
    {
        var options = new ChatCompletionOptions();
        if (response.Settings is { } settings)
        {
            Apply(options, settings);
        }

        if (response.Shell is { } shell)
        {
            options.Tools.Add(ShellTool.For(shell));
        }

        foreach (var function in response.Functions)
        {
            options.Tools.Add(ChatTool.CreateFunctionTool(
                function.Name,
                function.Description,
                function.Parameters is null ? null : BinaryData.FromString(function.Parameters),
                function.Strict));
        }

        if (options.Tools.Count == 0)
        {
            return options;
        }

        if (response.ParallelToolCalls is { } parallel)
        {
            options.AllowParallelToolCalls = parallel;
        }

        options.ToolChoice = Choice(response.ToolChoice, step);
        return options;
    }

    private static void Apply(ChatCompletionOptions options, ModelSettings settings)
    {
        options.Temperature = (float?)settings.Temperature;
        options.TopP = (float?)settings.TopP;
        options.MaxOutputTokenCount = settings.MaxOutputTokens;
        options.EndUserId = settings.User;
        options.ResponseFormat = settings.TextFormat switch
        {
            { Type: TextFormatSpec.JsonObject } => ChatResponseFormat.CreateJsonObjectFormat(),
            { Type: TextFormatSpec.JsonSchema } format => ChatResponseFormat.CreateJsonSchemaFormat(
                format.Name!, BinaryData.FromString(format.Schema!), format.Description, format.Strict),
            _ => null,
        };

        // Fields of the chat API the SDK names only as evaluation APIs, or not at all: set on the
        // request's JSON as they are. Its patch is the SDK's own way to send them.
#pragma warning disable SCME0001
        if (settings.ReasoningEffort is { } effort)
        {
            options.Patch.Set("$.reasoning_effort"u8, effort);
        }

        if (settings.SafetyIdentifier is { } safety)
        {
            options.Patch.Set("$.safety_identifier"u8, safety);
        }

        if (settings.PromptCacheKey is { } key)
        {
            options.Patch.Set("$.prompt_cache_key"u8, key);
        }
#pragma warning restore SCME0001
    }

    /// <summary>
    /// A choice that forces a call holds for the response's first model call only: the shell's
    /// results go back to the model, and a model forced every time could never answer.
    /// </summary>
    private static ChatToolChoice? Choice(ToolChoiceSpec? choice, int step) => choice?.Mode switch
    {
        ToolChoiceSpec.None => ChatToolChoice.CreateNoneChoice(),
        ToolChoiceSpec.Required when step <= 1 => ChatToolChoice.CreateRequiredChoice(),
        ToolChoiceSpec.Named when step <= 1 => ChatToolChoice.CreateFunctionChoice(choice.Name!),
        ToolChoiceSpec.Auto => ChatToolChoice.CreateAutoChoice(),
        _ => null,
    };
}
