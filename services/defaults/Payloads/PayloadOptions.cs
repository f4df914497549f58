using System.ComponentModel.DataAnnotations;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// Where payloads too large for a bus message wait for their reader: MongoDB's GridFS when
/// <c>ConnectionStrings:mongodb</c> is set, otherwise a directory every service on the host shares.
/// </summary>
public sealed class PayloadOptions
{
    public const string Section = "Payloads";

    /// <summary>
    /// The shared directory, when there is no MongoDB. Every service of one deployment must name
    /// the same one; default <c>$TMPDIR/berth-payloads</c>. Made owner-only (0700).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// A payload of at most this many bytes travels inside its message; a larger one is stored
    /// and the message carries its address. RabbitMQ 4 refuses messages over 16 MiB by default.
    /// </summary>
    [Range(0, 4 * 1024 * 1024)]
    public int InlineBytes { get; set; } = 256 * 1024;

    /// <summary>How long an unread payload is kept; its reader deletes it as a rule, so this only bounds leftovers.</summary>
    [Range(1, 24 * 60)]
    public int TimeToLiveMinutes { get; set; } = 30;

    public string ResolvedDirectory => string.IsNullOrWhiteSpace(Directory) ? Path.Combine(Path.GetTempPath(), "berth-payloads") : Directory;
}
