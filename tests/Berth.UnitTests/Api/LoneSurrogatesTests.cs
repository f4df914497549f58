using System.Text.Json;
using Berth.Api.Errors;

namespace Berth.UnitTests.Api;

/// <summary>Strings that are not valid UTF-16, found in any JSON body before a route reads it.</summary>
public sealed class LoneSurrogatesTests
{
    [Theory]
    [InlineData("""{ "model": "\ud800", "input": "x" }""", "model", "invalid_value")]
    [InlineData("""{ "model": "m", "input": [ { "role": "user", "content": [ { "type": "input_text", "text": "a\udc00b" } ] } ] }""", "input[0].content[0].text", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "metadata": { "k": "\ud83d" } }""", "metadata.k", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "metadata": { "k": "\ud83d\u0041" } }""", "metadata.k", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "metadata": { "k": "\ud83d\ud83d\ude80" } }""", "metadata.k", "invalid_value")]
    [InlineData("""{ "model": "m", "input": "x", "metadata": { "\udfff": "v" } }""", "metadata", "invalid_value")]
    [InlineData("""{ "name": "\ud800" }""", "name", "invalid_value")]
    [InlineData("""{ "url": "https://example.test/\udbff", "events": [] }""", "url", "invalid_value")]
    [InlineData("""[ { "a": [ 1, "\udc00" ] } ]""", "[0].a[1]", "invalid_value")]
    public void Should_name_where_the_first_unpaired_surrogate_is_when_a_body_has_one(string json, string? param, string code)
    {
        using var body = JsonDocument.Parse(json);

        var error = LoneSurrogates.Find(body.RootElement);

        Assert.Equal((400, param, code), (error!.Status, error.Param, error.Code));
    }

    [Theory]
    [InlineData("""{ "input": "ship it \ud83d\ude80" }""")]
    [InlineData("""{ "input": "not one: \\ud800, nor \\\\ud800" }""")]
    [InlineData("""{ "input": "\u00e9\\\ud83d\ude80\n\t\"" }""")]
    [InlineData("""{ "\ud83d\ude80": [ "\ud83d\ude80", 1, null, { "k": "v" } ] }""")]
    public void Should_find_nothing_when_every_surrogate_is_paired_or_only_looks_like_one(string json)
    {
        using var body = JsonDocument.Parse(json);

        Assert.Null(LoneSurrogates.Find(body.RootElement));
    }
}
