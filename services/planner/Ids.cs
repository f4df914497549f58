using System.Security.Cryptography;
using System.Text;

namespace Berth.Planner;

/// <summary>
/// Ids derived from what they name, so a redelivered message produces the same id again and
/// a replayed write is recognised as one.
/// </summary>
internal static class Ids
{
    public static string Stable(string prefix, params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return $"{prefix}_{Convert.ToHexStringLower(hash.AsSpan(0, 16))}";
    }
}
