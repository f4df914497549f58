using System.Text.Json.Serialization;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Responses;

/// <summary>
/// The items of a response's <c>output</c> (and of its input, as <c>input_items</c> lists them),
/// one record per OpenAI item type. An item is written by its runtime type, so a list of them
/// is typed <see cref="object"/>: System.Text.Json's own polymorphism would write its
/// discriminator before <c>id</c>, and OpenAI writes <c>id</c> first. Each record declares its
/// fields in the order OpenAI writes them, which is the order they are written in.
/// </summary>
internal static class ResponseItemObjects
{
    public static object From(ResponseItem item) => item.Type switch
    {
        ResponseItem.Message => new OutputMessageObject { Id = item.Id, Status = item.Status, Content = item.Text is null ? [] : [new OutputTextObject(item.Text)] },
        ResponseItem.ShellCall => new ShellCallObject { Id = item.Id, CallId = item.CallId, Status = item.Status, Action = ShellActionObject.From(item) },
        ResponseItem.ShellApprovalRequest => new ShellApprovalRequestObject { Id = item.Id, CallId = item.CallId, Action = ShellActionObject.From(item) },
        ResponseItem.FunctionCall => new FunctionCallObject { Id = item.Id, CallId = item.CallId, Name = item.Name, Arguments = item.Arguments ?? "", Status = item.Status },
        ResponseItem.ShellCallOutput => new ShellCallOutputObject
        {
            Id = item.Id,
            CallId = item.CallId,
            Status = item.Status,
            MaxOutputLength = item.MaxOutputLength,
            Output = ShellOutputJson.Shape(item.Outputs ?? []),
        },
        ResponseItem.Compaction => new CompactionObject { Id = item.Id, EncryptedContent = item.EncryptedContent },
        _ => new BareItemObject(item.Id, item.Type),
    };

    /// <summary>An input item as <c>input_items</c> and conversations list it.</summary>
    public static object From(InputMessage input)
    {
        if (input.Role == InputMessage.OutputItem)
        {
            return From(input.Item!);
        }

        if (input.Role == "assistant")
        {
            return From(new ResponseItem { Id = input.Id!, Type = ResponseItem.Message, Text = input.Text });
        }

        if (input.Approval is { } approval)
        {
            return new ApprovalResponseObject
            {
                Id = input.Id,
                ApprovalRequestId = approval.RequestId,
                Approve = approval.Approve,
                Reason = approval.Reason,
                DecidedBy = approval.DecidedBy,
                DecidedAt = approval.DecidedAt?.ToUnixTimeSeconds(),
            };
        }

        if (input.Role == InputMessage.Tool)
        {
            return new FunctionCallOutputObject { Id = input.Id, CallId = input.CallId, Output = input.Text };
        }

        var parts = input.Parts ?? [new ContentPart { Type = ContentPart.InputText, Text = input.Text }];
        return new InputMessageObject { Id = input.Id, Role = input.Role, Content = [.. parts.Select(InputPart)] };
    }

    private static object InputPart(ContentPart part) => part.Type switch
    {
        ContentPart.InputImage => new InputImageObject { ImageUrl = part.ImageUrl, Detail = part.Detail ?? "auto", FileId = part.FileId },
        ContentPart.InputFile => new InputFileObject { FileId = part.FileId, Filename = part.Filename, FileData = part.FileData },
        _ => new InputTextObject(part.Type, part.Text),
    };
}

/// <summary>The model's text: an assistant <c>message</c>, empty while its text is still to come (a stream's <c>output_item.added</c>).</summary>
internal sealed record OutputMessageObject
{
    public required string Id { get; init; }

    public string Type => ResponseItem.Message;

    public required string? Status { get; init; }

    public string Role => "assistant";

    public required IReadOnlyList<OutputTextObject> Content { get; init; }
}

/// <summary>An <c>output_text</c> part; Berth has no annotations or log probabilities to give.</summary>
internal sealed record OutputTextObject(string Text)
{
    [JsonPropertyOrder(-1)]
    public string Type => "output_text";

    [JsonPropertyOrder(1)]
    public IReadOnlyList<string> Annotations => [];

    [JsonPropertyOrder(2)]
    public IReadOnlyList<string> Logprobs => [];
}

/// <summary>What a shell call runs: its commands and their limits.</summary>
internal sealed record ShellActionObject(IReadOnlyList<string> Commands, int? TimeoutMs, int? MaxOutputLength)
{
    public static ShellActionObject From(ResponseItem item) => new(item.Commands ?? [], item.TimeoutMs, item.MaxOutputLength);
}

internal sealed record ShellCallObject
{
    public required string Id { get; init; }

    public string Type => ResponseItem.ShellCall;

    public required string? CallId { get; init; }

    public required string? Status { get; init; }

    public required ShellActionObject Action { get; init; }
}

/// <summary>Berth's extension: a call that waits for approval reads as the call it will be, with the request's own id and no status.</summary>
internal sealed record ShellApprovalRequestObject
{
    public required string Id { get; init; }

    public string Type => ResponseItem.ShellApprovalRequest;

    public required string? CallId { get; init; }

    public required ShellActionObject Action { get; init; }
}

internal sealed record ShellCallOutputObject
{
    public required string Id { get; init; }

    public string Type => ResponseItem.ShellCallOutput;

    public required string? CallId { get; init; }

    public required string? Status { get; init; }

    public required int? MaxOutputLength { get; init; }

    public required IReadOnlyList<ShellOutputObject> Output { get; init; }
}

internal sealed record FunctionCallObject
{
    public required string Id { get; init; }

    public string Type => ResponseItem.FunctionCall;

    public required string? CallId { get; init; }

    public required string? Name { get; init; }

    public required string Arguments { get; init; }

    public required string? Status { get; init; }
}

/// <summary>The summary goes out sealed only: what the client holds is for passing back.</summary>
internal sealed record CompactionObject
{
    public required string Id { get; init; }

    public string Type => ResponseItem.Compaction;

    public required string? EncryptedContent { get; init; }
}

/// <summary>An item of a type this api writes no fields of beyond its identity.</summary>
internal sealed record BareItemObject(string Id, string Type);

/// <summary>A message the client sent: its content parts as it sent them, or its text as one <c>input_text</c>.</summary>
internal sealed record InputMessageObject
{
    public required string? Id { get; init; }

    public string Type => ResponseItem.Message;

    public required string Role { get; init; }

    public string Status => ItemStatus.Completed;

    public required IReadOnlyList<object> Content { get; init; }
}

internal sealed record InputTextObject(string Type, string? Text);

internal sealed record InputImageObject
{
    public string Type => ContentPart.InputImage;

    public required string? ImageUrl { get; init; }

    public required string Detail { get; init; }

    public required string? FileId { get; init; }
}

internal sealed record InputFileObject
{
    public string Type => ContentPart.InputFile;

    public required string? FileId { get; init; }

    public required string? Filename { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FileData { get; init; }
}

/// <summary>A client's answer to a function call.</summary>
internal sealed record FunctionCallOutputObject
{
    public required string? Id { get; init; }

    public string Type => "function_call_output";

    public required string? CallId { get; init; }

    public required string Output { get; init; }

    public string Status => ItemStatus.Completed;
}

/// <summary>Berth's extension: an approval decision, with who made it (<c>decided_by</c>) and when.</summary>
internal sealed record ApprovalResponseObject
{
    public required string? Id { get; init; }

    public string Type => InputMessage.ApprovalResponse;

    public required string ApprovalRequestId { get; init; }

    public required bool Approve { get; init; }

    public required string? Reason { get; init; }

    public required string? DecidedBy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? DecidedAt { get; init; }
}
