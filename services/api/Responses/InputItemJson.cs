using System.Text.Json;
using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>A response's input items in the shapes of OpenAI's <c>ResponseItem</c>, as <c>GET /v1/responses/{id}/input_items</c> lists them.</summary>
public static class InputItemJson
{
    public static void Write(Utf8JsonWriter writer, InputMessage input)
    {
        switch (input.Role)
        {
            case InputMessage.OutputItem:
                ResponseJson.WriteItem(writer, input.Item!);
                return;
            case "assistant":
                ResponseJson.WriteItem(writer, new ResponseItem { Id = input.Id!, Type = ResponseItem.Message, Text = input.Text });
                return;
        }

        writer.WriteStartObject();
        writer.WriteString("id", input.Id);
        if (input.Approval is { } approval)
        {
            // decided_by and decided_at are Berth's record of who let a call run (or not), and when.
            writer.WriteString("type", InputMessage.ApprovalResponse);
            writer.WriteString("approval_request_id", approval.RequestId);
            writer.WriteBoolean("approve", approval.Approve);
            if (approval.Reason is null)
            {
                writer.WriteNull("reason");
            }
            else
            {
                writer.WriteString("reason", approval.Reason);
            }

            writer.WriteString("decided_by", approval.DecidedBy);
            if (approval.DecidedAt is { } at)
            {
                writer.WriteNumber("decided_at", at.ToUnixTimeSeconds());
            }
        }
        else if (input.Role == InputMessage.Tool)
        {
            writer.WriteString("type", "function_call_output");
            writer.WriteString("call_id", input.CallId);
            writer.WriteString("output", input.Text);
            writer.WriteString("status", ItemStatus.Completed);
        }
        else
        {
            writer.WriteString("type", "message");
            writer.WriteString("role", input.Role);
            writer.WriteString("status", ItemStatus.Completed);
            writer.WriteStartArray("content");
            foreach (var part in input.Parts ?? [new ContentPart { Type = ContentPart.InputText, Text = input.Text }])
            {
                writer.WriteStartObject();
                writer.WriteString("type", part.Type);
                if (part.Type == ContentPart.InputImage)
                {
                    writer.WriteString("image_url", part.ImageUrl);
                    writer.WriteString("detail", part.Detail ?? "auto");
                    writer.WriteString("file_id", part.FileId);
                }
                else if (part.Type == ContentPart.InputFile)
                {
                    writer.WriteString("file_id", part.FileId);
                    writer.WriteString("filename", part.Filename);
                    if (part.FileData is not null)
                    {
                        writer.WriteString("file_data", part.FileData);
                    }
                }
                else
                {
                    writer.WriteString("text", part.Text);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
