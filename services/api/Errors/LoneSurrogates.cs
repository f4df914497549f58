using System.Runtime.InteropServices;
using System.Text.Json;
using Berth.Contracts;

namespace Berth.Api.Errors;

/// <summary>
/// Finds a string in a JSON body that is not valid UTF-16: a lone surrogate, written in JSON as
/// <c>"\ud800"</c>. System.Text.Json parses one, then throws when it is read as a string, and
/// it could not be written out again to the bus or a model, so every body is checked once, when
/// it is read, for every route. Only the raw JSON is scanned, without making strings: a
/// surrogate can only come as a <c>\u</c> escape, as the UTF-8 has been checked already.
/// </summary>
internal static class LoneSurrogates
{
    /// <summary>The first string, or property name, of the body that is not valid UTF-16, as a 400 naming where it is; null when there is none.</summary>
    public static ApiError? Find(JsonElement body)
    {
        var trail = new List<string>();
        var found = Search(body, trail);
        if (found is null)
        {
            return null;
        }

        // The path is only put together for a body that has one, so a clean body costs no strings.
        trail.Reverse();
        var path = string.Concat(trail.Select((segment, i) => i == 0 || segment.StartsWith('[') ? segment : "." + segment));
        return found == Found.Value
            ? ApiError.InvalidRequest($"Invalid '{path}': the string has an unpaired surrogate (not valid Unicode).", path.Length == 0 ? null : path, RequestErrorCodes.InvalidValue)
            : ApiError.InvalidRequest($"Invalid parameter name in '{(path.Length == 0 ? "the body" : path)}': it has an unpaired surrogate (not valid Unicode).", path.Length == 0 ? null : path, RequestErrorCodes.InvalidValue);
    }

    private enum Found
    {
        Value,
        Name,
    }

    /// <summary>What was found, if anything; <paramref name="trail"/> gets the path to it, innermost segment first.</summary>
    private static Found? Search(JsonElement element, List<string> trail)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return In(JsonMarshal.GetRawUtf8Value(element)) ? Found.Value : null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (In(JsonMarshal.GetRawUtf8PropertyName(property)))
                    {
                        return Found.Name;
                    }

                    if (Search(property.Value, trail) is { } found)
                    {
                        trail.Add(property.Name);
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Search(item, trail) is { } found)
                    {
                        trail.Add($"[{index}]");
                        return found;
                    }

                    index++;
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Whether a JSON string's raw text, as escaped, holds a <c>\uD800</c>–<c>\uDFFF</c> escape that is not one half of a pair.</summary>
    public static bool In(ReadOnlySpan<byte> raw)
    {
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i < raw.Length - 1; i = NextEscape(raw, i))
        {
            if (raw[i + 1] != 'u')
            {
                continue;
            }

            var unit = CodeUnit(raw, i);
            if (char.IsLowSurrogate(unit))
            {
                return true;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (i + 12 > raw.Length || raw[i + 6] != '\\' || raw[i + 7] != 'u' || !char.IsLowSurrogate(CodeUnit(raw, i + 6)))
                {
                    return true;
                }

                // The low half is part of this pair, not a lone one of its own.
                i += 6;
            }
        }

        return false;
    }

    /// <summary>The next backslash after the escape at <paramref name="at"/>, which is two characters long, or six for <c>\u</c>.</summary>
    private static int NextEscape(ReadOnlySpan<byte> raw, int at)
    {
        var from = at + (raw[at + 1] == 'u' ? 6 : 2);
        if (from >= raw.Length)
        {
            return -1;
        }

        var next = raw[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }

    private static char CodeUnit(ReadOnlySpan<byte> raw, int at) =>
        at + 6 <= raw.Length && ushort.TryParse(raw.Slice(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var unit)
            ? (char)unit
            : '\0';
}
