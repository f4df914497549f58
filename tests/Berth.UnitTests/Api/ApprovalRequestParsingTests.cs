using System.Text.Json;
using Berth.Api.Responses;
using Berth.Contracts;

namespace Berth.UnitTests.Api;

/// <summary>The Berth extensions of a <c>POST /v1/responses</c> body for people in the loop: <c>require_approval</c>, <c>shell_approval_response</c> and <c>interrupt</c>.</summary>
public sealed class ApprovalRequestParsingTests
{
    private static (CreateResponseRequest? Request, Berth.Api.Errors.ApiError? Error) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CreateResponseParser.Parse(document.RootElement);
    }

    private static string WithApproval(string requireApproval) =>
        $$"""{ "model": "m", "input": "go", "tools": [ { "type": "shell", "require_approval": {{requireApproval}} } ] }""";

    [Theory]
    [InlineData("\"never\"", ApprovalModes.Never)]
    [InlineData("\"always\"", ApprovalModes.Always)]
    [InlineData("null", ApprovalModes.Never)]
    [InlineData("""{ "patterns": ["^git push", "\\bcurl\\b"] }""", ApprovalModes.Patterns)]
    public void Should_read_the_mode_when_require_approval_is_valid(string value, string mode)
    {
        var (request, error) = Parse(WithApproval(value));

        Assert.Null(error);
        Assert.Equal(mode, request!.Shell!.RequireApproval);
        Assert.Equal(mode == ApprovalModes.Patterns ? ["^git push", @"\bcurl\b"] : [], request.Shell.ApprovalPatterns);
    }

    [Theory]
    [InlineData("\"sometimes\"", "tools[0].require_approval")]
    [InlineData("true", "tools[0].require_approval")]
    [InlineData("""{ "patterns": [] }""", "tools[0].require_approval.patterns")]
    [InlineData("""{ "patterns": "rm" }""", "tools[0].require_approval.patterns")]
    [InlineData("""{ "patterns": ["(unclosed"] }""", "tools[0].require_approval.patterns[0]")]
    [InlineData("""{ "patterns": ["ok", 7] }""", "tools[0].require_approval.patterns[1]")]
    [InlineData("""{ "patterns": [""] }""", "tools[0].require_approval.patterns[0]")]
    [InlineData("""{ "patterns": ["rm"], "tool_names": ["x"] }""", "tools[0].require_approval.tool_names")]
    [InlineData("""{ "always": { "tool_names": ["shell"] } }""", "tools[0].require_approval.always")]
    public void Should_answer_400_naming_the_parameter_when_require_approval_is_bad(string value, string param)
    {
        var (_, error) = Parse(WithApproval(value));

        Assert.NotNull(error);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void Should_answer_400_when_there_are_too_many_patterns_or_one_is_too_long()
    {
        var many = JsonSerializer.Serialize(new { patterns = Enumerable.Range(0, 33).Select(i => $"p{i}") });
        var longOne = JsonSerializer.Serialize(new { patterns = new[] { new string('a', 513) } });

        Assert.Equal("array_above_max_length", Parse(WithApproval(many)).Error?.Code);
        Assert.Equal("tools[0].require_approval.patterns[0]", Parse(WithApproval(longOne)).Error?.Param);
    }

    [Fact]
    public void Should_read_an_approval_response_when_it_is_well_formed()
    {
        var (request, error) = Parse("""
            { "model": "m", "previous_response_id": "resp_1",
              "input": [ { "type": "shell_approval_response", "approval_request_id": "sar_1", "approve": false, "reason": "not on main" } ] }
            """);

        Assert.Null(error);
        var answer = Assert.Single(request!.Input);
        Assert.Equal(InputMessage.ApprovalResponse, answer.Role);
        Assert.Equal(new ApprovalDecision { RequestId = "sar_1", Approve = false, Reason = "not on main" }, answer.Approval);
    }

    [Theory]
    [InlineData("""{ "type": "shell_approval_response", "approval_request_id": "sar_1" }""", "input[0].approve")]
    [InlineData("""{ "type": "shell_approval_response", "approval_request_id": "sar_1", "approve": "yes" }""", "input[0].approve")]
    [InlineData("""{ "type": "shell_approval_response", "approval_request_id": "mcpr_1", "approve": true }""", "input[0].approval_request_id")]
    [InlineData("""{ "type": "shell_approval_response", "approve": true }""", "input[0].approval_request_id")]
    [InlineData("""{ "type": "shell_approval_response", "approval_request_id": "sar_1", "approve": true, "by": "me" }""", "input[0].by")]
    public void Should_answer_400_naming_the_field_when_an_approval_response_is_malformed(string item, string param)
    {
        var (_, error) = Parse($$"""{ "model": "m", "previous_response_id": "resp_1", "input": [ {{item}} ] }""");

        Assert.Equal(param, error?.Param);
    }

    [Fact]
    public void Should_answer_400_when_a_reason_is_longer_than_the_limit()
    {
        var item = JsonSerializer.Serialize(new { type = "shell_approval_response", approval_request_id = "sar_1", approve = false, reason = new string('x', 4_001) });

        var (_, error) = Parse($$"""{ "model": "m", "previous_response_id": "resp_1", "input": [ {{item}} ] }""");

        Assert.Equal(("input[0].reason", "string_above_max_length"), (error?.Param, error?.Code));
    }

    [Fact]
    public void Should_refuse_an_approval_response_among_a_conversations_items()
    {
        using var items = JsonDocument.Parse("""[ { "type": "shell_approval_response", "approval_request_id": "sar_1", "approve": true } ]""");

        var error = Assert.ThrowsAny<Exception>(() => InputItemsParser.ParseArray(items.RootElement, "items"));

        Assert.StartsWith("Invalid 'items[0]': a 'shell_approval_response' answers a paused response", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_interrupt_with_a_previous_response_and_refuse_it_without_one()
    {
        var (request, error) = Parse("""{ "model": "m", "input": "stop, do this instead", "previous_response_id": "resp_1", "interrupt": true }""");
        Assert.Null(error);
        Assert.True(request!.Interrupt);

        Assert.Equal("interrupt", Parse("""{ "model": "m", "input": "x", "interrupt": true }""").Error?.Param);
        Assert.Null(Parse("""{ "model": "m", "input": "x", "interrupt": false }""").Error);
    }
}
