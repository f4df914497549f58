using System.Text.Json;
using Berth.Contracts;

namespace Berth.ServiceDefaults;

/// <summary>
/// The <c>output</c> array of a <c>shell_call_output</c>, as OpenAI writes it. The api renders it
/// to clients and the planner hands the same JSON to the model, so both share this one writer.
/// </summary>
public static class ShellOutputJson
{
    public static void WriteOutputs(Utf8JsonWriter writer, IEnumerable<CommandOutput> outputs)
    {
        writer.WriteStartArray();
        foreach (var output in outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("stdout", output.Stdout);
            writer.WriteString("stderr", output.Stderr);
            writer.WriteStartObject("outcome");
            if (output.TimedOut || output.ExitCode is null)
            {
                writer.WriteString("type", "timeout");
            }
            else
            {
                writer.WriteString("type", "exit");
                writer.WriteNumber("exit_code", output.ExitCode.Value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static string Serialize(IEnumerable<CommandOutput> outputs) =>
        System.Text.Encoding.UTF8.GetString(JsonBytes.Write(writer => WriteOutputs(writer, outputs)));
}
