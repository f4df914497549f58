using System.Globalization;
using System.Text;

namespace Berth.ServiceDefaults;

/// <summary>
/// The domains of an <c>allowlist</c> network policy: what a valid entry is, which entries an
/// operator's cap covers, and the proxy filter each becomes. An entry is a host name
/// (<c>pypi.org</c>: that host only) or a wildcard (<c>*.pythonhosted.org</c>: its subdomains at
/// any depth, not the domain itself). IP addresses are never entries, so a raw IP is refused.
/// </summary>
public static class EgressDomains
{
    private const string Wildcard = "*.";

    /// <summary>Lower-case, trimmed; what is compared, stored and filtered.</summary>
    public static string Normalize(string entry) => entry.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>Why <paramref name="entry"/> (normalized) is not a valid allowlist entry; null when it is.</summary>
    public static string? Problem(string entry)
    {
        var host = entry.StartsWith(Wildcard, StringComparison.Ordinal) ? entry[Wildcard.Length..] : entry;
        if (host.Length is 0 or > 253)
        {
            return $"'{entry}' is not a domain name.";
        }

        var labels = host.Split('.');
        if (labels.Length < 2)
        {
            return $"'{entry}' is not a domain name: give at least two labels, such as example.com.";
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return $"'{entry}' is not a domain name: each label is letters, digits and inner hyphens (wildcards only as a leading '*.').";
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            return $"'{entry}' looks like an IP address; only domain names can be allowed.";
        }

        return null;
    }

    /// <summary>Whether the operator's <paramref name="cap"/> entry allows a request to ask for <paramref name="requested"/>.</summary>
    public static bool Covers(string cap, string requested)
    {
        if (string.Equals(cap, requested, StringComparison.Ordinal))
        {
            return true;
        }

        if (!cap.StartsWith(Wildcard, StringComparison.Ordinal))
        {
            return false;
        }

        // "*.example.com" covers "a.example.com", "*.a.example.com", "*.example.com", but not "example.com".
        var suffix = cap[1..];
        var host = requested.StartsWith(Wildcard, StringComparison.Ordinal) ? requested[1..] : requested;
        return host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length
            || string.Equals(host, suffix, StringComparison.Ordinal) && requested.StartsWith(Wildcard, StringComparison.Ordinal);
    }

    /// <summary>
    /// The proxy's filter lines for an entry: POSIX extended regular expressions that tinyproxy
    /// (with <c>FilterURLs</c>) matches against a request's URL, case-insensitively. One lets
    /// plain HTTP reach the host on port 80 only; the other lets a CONNECT tunnel reach it on 443
    /// only. A wildcard entry matches the subdomains of its domain, not the domain itself.
    /// </summary>
    public static IEnumerable<string> FilterLines(string entry)
    {
        var wildcard = entry.StartsWith(Wildcard, StringComparison.Ordinal);
        var domain = wildcard ? entry[Wildcard.Length..] : entry;
        var escaped = new StringBuilder();
        foreach (var c in domain)
        {
            escaped.Append(c == '.' ? "\\." : c.ToString(CultureInfo.InvariantCulture));
        }

        // A subdomain's labels: letters, digits and hyphens, so nothing but a host name can
        // stand before the domain (no user part, no path).
        var host = wildcard ? $"[a-z0-9-]+(\\.[a-z0-9-]+)*\\.{escaped}" : escaped.ToString();
        return [$"^http://{host}(:80)?(/|$)", $"^{host}:443$"];
    }
}
