using Microsoft.Net.Http.Headers;

namespace Berth.Api.Errors;

/// <summary>
/// A multipart section's Content-Disposition, read once and safely: the framework's reader
/// throws <see cref="ArgumentNullException"/> on a <c>filename*</c> without a value, which a
/// hostile client can send, so every read of it happens here, inside one guard.
/// </summary>
internal sealed record FormPart(string Name, string? FileName)
{
    public bool IsFile => FileName is not null;

    /// <summary>The part's name and file name (<c>filename*</c> first); null when the header is missing, not form-data, or unreadable.</summary>
    public static FormPart? Read(string? contentDisposition)
    {
        try
        {
            if (!ContentDispositionHeaderValue.TryParse(contentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
            {
                return null;
            }

            return new FormPart(name, disposition.IsFileDisposition()
                ? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? ""
                : null);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
