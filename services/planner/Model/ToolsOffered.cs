using Berth.Contracts;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>The tools a response offers the model, and how it may use them, as chat completion options.</summary>
public static class ToolsOffered
{
    /// <param name="step">The response's model call number, from 1.</param>
    public static ChatCompletionOptions Options(ResponseSnapshot response, int step)
    {
        var options = new ChatCompletionOptions();
        if (response.Shell is not null)
        {
            options.Tools.Add(ShellTool.Definition);
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
