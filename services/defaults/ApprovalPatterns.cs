using System.Text.RegularExpressions;

namespace Berth.ServiceDefaults;

/// <summary>
/// The regular expressions of <c>require_approval: {"patterns": [...]}</c> and of the operator's
/// <c>Planner:ApprovalPatterns</c>: what a valid one is, and whether a call's commands match.
/// Both come from people who may not mean well, so each is bounded in size and every match runs
/// under a timeout; a match that times out counts as a match, so a pattern built to be slow makes
/// its call wait for a person rather than run unchecked.
/// </summary>
public static class ApprovalPatterns
{
    public const int MaxCount = 32;
    public const int MaxLength = 512;

    /// <summary>Long enough for any sane pattern on any command a model writes; short enough that a saga step is not held.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Why <paramref name="pattern"/> cannot be used; null when it can.</summary>
    public static string? Problem(string pattern)
    {
        if (pattern.Length is 0 or > MaxLength)
        {
            return $"a pattern has 1 to {MaxLength} characters, but this one has {pattern.Length}.";
        }

        try
        {
            _ = Create(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"'{(pattern.Length <= 64 ? pattern : pattern[..64] + "…")}' is not a valid regular expression: {e.Message}";
        }
    }

    /// <summary>The pattern as it is matched: .NET's syntax, culture-invariant, with <see cref="MatchTimeout"/>.</summary>
    public static Regex Create(string pattern) => new(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary>Whether any command matches any pattern; a match that runs out of time counts as one.</summary>
    public static bool AnyMatches(IEnumerable<Regex> patterns, IEnumerable<string> commands)
    {
        foreach (var command in commands)
        {
            foreach (var pattern in patterns)
            {
                try
                {
                    if (pattern.IsMatch(command))
                    {
                        return true;
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
