namespace Berth.Contracts;

/// <summary>
/// One part of a message's content, kept in order for a message that holds more than text: a
/// text part (<see cref="Text"/>) or an image (<see cref="ImageUrl"/>, an http(s) URL or a
/// <c>data:image/…;base64,</c> URL, and <see cref="Detail"/>).
/// </summary>
public sealed record ContentPart
{
    public const string InputText = "input_text";
    public const string InputImage = "input_image";

    public required string Type { get; init; }
    public string? Text { get; init; }
    public string? ImageUrl { get; init; }

    /// <summary><c>low</c>, <c>high</c> or <c>auto</c>.</summary>
    public string? Detail { get; init; }
}
