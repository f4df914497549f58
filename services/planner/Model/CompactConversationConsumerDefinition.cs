using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>On <see cref="Endpoints.CompactionsQueue"/>. Not retried: each attempt is a model call, and the client sees a failure and may ask again.</summary>
internal sealed class CompactConversationConsumerDefinition : ConsumerDefinition<CompactConversationConsumer>
{
    public CompactConversationConsumerDefinition()
    {
        EndpointName = Endpoints.CompactionsQueue;
    }
}
