using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Api.Security;

/// <summary>
/// The api's keys, each naming its tenant. Read once at start-up from <c>BERTH_API_KEYS</c>
/// (comma-separated <c>tenant:key</c> pairs) and the file named by <c>BERTH_API_KEYS_FILE</c>
/// (one pair per line, <c>#</c> for comments). Only SHA-256 hashes are kept, and a presented key
/// is compared with every one of them in constant time, so neither the keys nor the timing of a
/// comparison tell anything.
/// </summary>
internal sealed partial class ApiKeys
{
    public const int MinimumKeyLength = 16;

    private readonly List<(byte[] Hash, string Tenant)> _keys;

    private ApiKeys(List<(byte[] Hash, string Tenant)> keys) => _keys = keys;

    public bool IsEmpty => _keys.Count == 0;

    public int Count => _keys.Count;

    public static ApiKeys From(IConfiguration configuration)
    {
        var entries = new List<string>();
        entries.AddRange((configuration["BERTH_API_KEYS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (configuration["BERTH_API_KEYS_FILE"] is { Length: > 0 } file)
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"BERTH_API_KEYS_FILE names '{file}', which does not exist.");
            }

            entries.AddRange(File.ReadAllLines(file).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')));
        }

        var keys = new List<(byte[] Hash, string Tenant)>();
        foreach (var entry in entries)
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var tenant = colon > 0 ? entry[..colon] : "";
            var key = colon > 0 ? entry[(colon + 1)..] : "";
            if (!TenantName().IsMatch(tenant))
            {
                throw new InvalidOperationException(
                    "Each API key must be given as tenant:key, with a tenant of 1 to 64 lower-case letters, digits, '-' or '_' (check BERTH_API_KEYS and BERTH_API_KEYS_FILE).");
            }

            if (key.Length < MinimumKeyLength)
            {
                throw new InvalidOperationException($"The API key of tenant '{tenant}' is shorter than {MinimumKeyLength} characters; use a long random one.");
            }

            keys.Add((Hash(key), tenant));
        }

        if (keys.Select(k => Convert.ToHexString(k.Hash)).Distinct().Count() != keys.Count)
        {
            throw new InvalidOperationException("The same API key is given twice; each key must be unique.");
        }

        return new ApiKeys(keys);
    }

    /// <summary>The tenant whose key this is, or null. Looks at every key whatever it finds.</summary>
    public string? TenantOf(string presented)
    {
        var hash = Hash(presented);
        string? tenant = null;
        foreach (var (known, owner) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known))
            {
                tenant = owner;
            }
        }

        return tenant;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex TenantName();
}
