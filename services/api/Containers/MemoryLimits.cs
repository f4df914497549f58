using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>OpenAI's container <c>memory_limit</c> values, for <c>POST /v1/containers</c> and <c>container_auto</c> alike.</summary>
internal static class MemoryLimits
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

    /// <summary>
    /// A 400 for a limit above what this deployment's executors give (<c>Api:MaxMemoryMb</c>):
    /// the container would get less than it shows, so it is refused instead.
    /// </summary>
    public static Errors.ApiError? Refusal(int? megabytes, int maxMb, string param) =>
        megabytes > maxMb
            ? Errors.ApiError.InvalidRequest(
                $"Invalid '{param}': {Name(megabytes.Value)} is more than this deployment gives a container. Supported values here are {string.Join(", ", Megabytes.Where(m => m.Value <= maxMb).Select(m => $"'{m.Key}'"))}.",
                param, RequestErrorCodes.InvalidValue)
            : null;

    private static string Name(int megabytes) => Megabytes.First(m => m.Value == megabytes).Key;
}
