using System.Diagnostics.Metrics;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Berth.IntegrationTests.Messaging;

/// <summary>The planner's queue-depth gauges, read from the real broker.</summary>
[Collection(StackCollection.Name)]
public sealed class QueueDepthTests(BerthStack stack)
{
    [Fact]
    public async Task Should_report_waiting_messages_and_leave_out_a_queue_that_does_not_exist()
    {
        Assert.SkipWhen(stack.RabbitMq.UnavailableReason is not null, stack.RabbitMq.UnavailableReason ?? "");
        var broker = new Uri(stack.RabbitMq.ConnectionString!);
        var queue = $"berth-test-depth-{Guid.NewGuid():N}";
        var missing = $"berth-test-missing-{Guid.NewGuid():N}";
        var cancellation = TestContext.Current.CancellationToken;
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync(cancellation);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellation);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellation);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync("", queue, "waiting"u8.ToArray(), cancellation);
            }

            var depths = new QueueDepths(broker, [queue, missing], NullLogger<QueueDepths>.Instance);
            await Eventually.TrueAsync(async () =>
            {
                await depths.ReadAsync(connection, cancellation);
                return depths.Latest.GetValueOrDefault(queue)?.Messages == 3;
            }, TimeSpan.FromSeconds(5), "the queue's depth to read 3");

            Assert.Equal(new QueueDepths.QueueDepth(3, 0), depths.Latest[queue]);
            Assert.False(depths.Latest.ContainsKey(missing));
            Assert.Equal(3, Gauge("berth.queue.messages", queue));
            Assert.Equal(0, Gauge("berth.queue.consumers", queue));
        }
        finally
        {
            await channel.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None);
        }
    }

    private static long? Gauge(string name, string queue)
    {
        long? seen = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServiceDefaults.BerthTelemetry.Name && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue" && (string?)tag.Value == queue)
                {
                    seen = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
