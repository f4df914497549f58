using System.Text.Json;
using Berth.Contracts;
using Berth.ServiceDefaults.Images;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Containers;

/// <summary>
/// A container's <c>image</c> (a Berth extension: OpenAI's containers have one fixed image): the
/// operator's name for a sandbox image, read here for its shape and checked against the
/// operator's list, and the tenant's, by <see cref="Refusal"/>.
/// </summary>
internal static class ImageNames
{
    /// <summary>The name given in <paramref name="parent"/>'s <c>image</c>, or null for none (the default image).</summary>
    /// <param name="path">Where that field is in the request, for the error.</param>
    public static string? Parse(JsonElement parent, string path)
    {
        if (!parent.TryGetProperty("image", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"Invalid type for '{path}': expected a string, but got {Describe(value)} instead.", path, RequestErrorCodes.InvalidType);
        }

        var image = value.GetString()!;
        return image == SandboxImages.Default ? null : image;
    }

    /// <summary>Null when the tenant may use the image; otherwise the 400 that names it.</summary>
    public static Errors.ApiError? Refusal(ImageCatalog catalog, string tenant, string? image, string param) =>
        image is null || catalog.Refusal(tenant, image) is not { } why ? null : Errors.ApiError.InvalidRequest($"Invalid '{param}': {why}", param, RequestErrorCodes.InvalidValue);
}
