using System.Runtime.CompilerServices;
using System.Text;

namespace Berth.UnitTests.Api.Golden;

/// <summary>
/// Bodies as clients receive them, byte for byte, kept as files beside this one. A body that
/// differs from its file fails the test: field order, explicit nulls and escaping are part of
/// the wire shape the SDKs read. A missing file is written only when BERTH_PIN_GOLDEN=1, so a
/// new shape is pinned on purpose and then reviewed in the diff.
/// </summary>
public static class GoldenFiles
{
    public static void AssertMatches(string name, byte[] body, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(caller)!, "Golden", name + ".json");
        if (!File.Exists(path) && Environment.GetEnvironmentVariable("BERTH_PIN_GOLDEN") == "1")
        {
            File.WriteAllBytes(path, body);
        }

        Assert.True(File.Exists(path), $"No golden file {path}: run the test with BERTH_PIN_GOLDEN=1 to pin today's body, and review it.");
        Assert.Equal(File.ReadAllText(path, Encoding.UTF8), Encoding.UTF8.GetString(body));
    }

    public static void AssertMatches(string name, string body, [CallerFilePath] string caller = "") =>
        AssertMatches(name, Encoding.UTF8.GetBytes(body), caller);
}
