using Berth.Planner.Responses;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>
/// The bytes of the uploaded files a conversation sends to the model (<c>input_image</c> and
/// <c>input_file</c> by <c>file_id</c>), read from the payload store for each model call, as the
/// chat API takes them only inline. The api bounded what one request may send.
/// </summary>
internal sealed class ModelFiles(PayloadStore payloads)
{
    /// <summary>The bytes by content address; or, for a file deleted since it was sent, why the conversation cannot go on.</summary>
    public async Task<(IReadOnlyDictionary<Uri, BinaryData>? Files, string? Gone)> LoadAsync(IEnumerable<StoredResponse> chain, CancellationToken cancellationToken)
    {
        var files = new Dictionary<Uri, BinaryData>();
        foreach (var part in chain.SelectMany(response => response.Input).SelectMany(input => input.Parts ?? []))
        {
            if (part.ContentAddress is not { } address || files.ContainsKey(address))
            {
                continue;
            }

            try
            {
                await using var content = await payloads.OpenAsync(address, cancellationToken);
                files[address] = await BinaryData.FromStreamAsync(content, cancellationToken);
            }
            catch (MessageDataNotFoundException)
            {
                return (null, $"File '{part.FileId}', sent to the model in this conversation, has been deleted. Upload it again and start a new conversation, or continue from a response before it.");
            }
        }

        return (files, null);
    }
}
