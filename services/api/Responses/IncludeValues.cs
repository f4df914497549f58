namespace Berth.Api.Responses;

/// <summary>
/// The <c>include</c> values of a response and of its input items. Berth keeps every input
/// image's URL and always shows it, so <c>message.input_image.image_url</c> asks for what is
/// there anyway; each other value adds what Berth has none of (hosted search and code tools'
/// results, encrypted reasoning, logprobs) and is refused by name.
/// </summary>
internal static class IncludeValues
{
    public const string InputImageUrls = "message.input_image.image_url";

    /// <summary>Why a value cannot be honoured; null for one that can.</summary>
    public static string? Refusal(string value) => value == InputImageUrls
        ? null
        : $"'include' value '{JsonFields.Shortened(value)}' is not supported: Berth has none of what it would add. It honours '{InputImageUrls}' (image URLs are always shown).";
}
