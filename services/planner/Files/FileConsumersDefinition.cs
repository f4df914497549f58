using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Files;

/// <summary>On <see cref="Endpoints.FilesQueue"/>. Not retried: the api answers a failure, and the client may ask again.</summary>
internal sealed class FileConsumersDefinition : ConsumerDefinition<FileConsumers>
{
    public FileConsumersDefinition()
    {
        EndpointName = Endpoints.FilesQueue;
    }
}
