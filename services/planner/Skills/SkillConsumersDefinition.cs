using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Skills;

/// <summary>On <see cref="Endpoints.SkillsQueue"/>. Not retried: the api answers a failure, and the client may ask again.</summary>
internal sealed class SkillConsumersDefinition : ConsumerDefinition<SkillConsumers>
{
    public SkillConsumersDefinition()
    {
        EndpointName = Endpoints.SkillsQueue;
    }
}
