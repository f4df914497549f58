namespace Berth.Contracts;

/// <summary>
/// One part of a message's content, kept in order for a message that holds more than text: a
/// text part (<see cref="Text"/>); an image (<see cref="ImageUrl"/>, an http(s) URL or a
/// <c>data:image/…;base64,</c> URL, or <see cref="FileId"/>, and <see cref="Detail"/>); or a
/// file (<see cref="FileData"/>, a <c>data:</c> URL, or <see cref="FileId"/>), which the model
/// reads itself.
/// </summary>
public sealed record ContentPart
{
    public const string InputText = "input_text";
    public const string InputImage = "input_image";
    public const string InputFile = "input_file";

    public required string Type { get; init; }
    public string? Text { get; init; }
    public string? ImageUrl { get; init; }

    /// <summary><c>low</c>, <c>high</c> or <c>auto</c>.</summary>
    public string? Detail { get; init; }

    /// <summary>A file of <c>/v1/files</c>, the image or file this part sends.</summary>
    public string? FileId { get; init; }

    /// <summary>An <c>input_file</c>'s name, as the client gave it or, by <see cref="FileId"/>, the uploaded file's.</summary>
    public string? Filename { get; init; }

    /// <summary>An <c>input_file</c> sent inline: a <c>data:&lt;media type&gt;;base64,</c> URL.</summary>
    public string? FileData { get; init; }

    /// <summary>By <see cref="FileId"/>: where the api found the file's bytes in the payload store, which the planner reads for every model call.</summary>
    public Uri? ContentAddress { get; init; }

    /// <summary>By <see cref="FileId"/>: the media type the model is told (an image's, from its first bytes; a file's, from its name).</summary>
    public string? MediaType { get; init; }
}
