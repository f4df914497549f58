using System.Collections.Concurrent;
using System.Threading.Channels;
using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Responses;

/// <summary>Hands every response's new events, heard on this instance's temporary queue, to the streams served here.</summary>
internal sealed class ResponseEventsAppendedConsumer(ResponseEventHub hub) : IConsumer<ResponseEventsAppended>
{
    public Task Consume(ConsumeContext<ResponseEventsAppended> context)
    {
        hub.Deliver(context.Message);
        return Task.CompletedTask;
    }
}
