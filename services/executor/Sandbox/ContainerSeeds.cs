using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Copies the files a session's container is made with (<c>container_auto</c>'s <c>file_ids</c>)
/// into its <c>/mnt/data</c>, from the payload store, before the session's first commands run.
/// </summary>
internal sealed class ContainerSeeds(ContainerFiles files, PayloadStore payloads)
{
    public async Task CopyAsync(Guid sessionId, string containerId, IReadOnlyList<ContainerFileSeed> seeds, CancellationToken cancellationToken)
    {
        foreach (var seed in seeds)
        {
            Stream content;
            try
            {
                content = await payloads.OpenAsync(seed.ContentAddress, cancellationToken);
            }
            catch (MessageDataNotFoundException)
            {
                throw new FileOperationException(ErrorCodes.PayloadUnavailable, $"File {seed.FileId} was deleted before the session's container was made; it is not in /mnt/data.");
            }

            await using (content)
            {
                await files.PutAsync(sessionId, containerId, seed.Filename, content, cancellationToken);
            }
        }
    }
}
