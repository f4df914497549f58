namespace Berth.UnitTests.Planner;

/// <summary>
/// Compares send addresses by name: the harness resolves <c>queue:x?options</c> and <c>exchange:x</c> to a URI
/// of its in-memory transport, with a host and without the RabbitMQ options.
/// </summary>
internal sealed class UriTail : IEqualityComparer<Uri?>
{
    public static UriTail Comparer { get; } = new();

    public bool Equals(Uri? x, Uri? y) => Tail(x) == Tail(y);

    public int GetHashCode(Uri? obj) => Tail(obj).GetHashCode(StringComparison.Ordinal);

    private static string Tail(Uri? uri)
    {
        if (uri is null)
        {
            return "";
        }

        var text = uri.ToString();
        var name = uri.Scheme is "queue" or "exchange" ? text[(uri.Scheme.Length + 1)..] : text[(text.LastIndexOf('/') + 1)..];
        var query = name.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? name : name[..query];
    }
}
