using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Conversations;

/// <summary>On <see cref="Endpoints.ConversationsQueue"/>. Not retried: the api answers a failure, and the client may ask again.</summary>
internal sealed class ConversationConsumersDefinition : ConsumerDefinition<ConversationConsumers>
{
    public ConversationConsumersDefinition()
    {
        EndpointName = Endpoints.ConversationsQueue;
    }
}
