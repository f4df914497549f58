namespace Berth.Api.Containers;

/// <summary>OpenAI's container <c>memory_limit</c> values, for <c>POST /v1/containers</c> and <c>container_auto</c> alike.</summary>
public static class MemoryLimits
{
    private static readonly Dictionary<string, int> Megabytes = new(StringComparer.Ordinal)
    {
        ["1g"] = 1024,
        ["4g"] = 4 * 1024,
        ["16g"] = 16 * 1024,
        ["64g"] = 64 * 1024,
    };

    public const string Supported = "'1g', '4g', '16g' and '64g'";

    public static bool TryParse(string? value, out int megabytes) => Megabytes.TryGetValue(value ?? "", out megabytes);
}
