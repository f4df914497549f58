using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>What a client sees when the broker connection of the api it talks to drops in the middle of its response.</summary>
[Collection(StackCollection.Name)]
public sealed class BrokerCutTests
{
    private readonly BerthStack _stack;

    public BrokerCutTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_still_answer_with_the_finished_response_when_the_api_loses_its_broker_connection_while_waiting()
    {
        var (proxy, viaProxy) = await TcpProxy.ForBrokerAsync(_stack.RabbitMq.ConnectionString!);
        await using var cut = proxy;
        var (api, http) = await _stack.StartApiAsync("api-broker-cut", ("ConnectionStrings__rabbitmq", viaProxy), ("Api__PlannerTimeoutSeconds", "10"));
        using (http)
        {
            // One response first, so the cut below comes while the next one runs, not while a
            // freshly started api is still setting up its first send.
            using (var warm = await http.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("echo warm")))
            {
                Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            }

            // A synchronous request: the api waits for the response to finish, over the bus.
            var pending = http.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("sleep 4; echo finished"));

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            proxy.Cut();
            await Task.Delay(TimeSpan.FromSeconds(3));
            proxy.Restore();

            using var reply = await pending;
            var body = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;
            if (reply.StatusCode != HttpStatusCode.OK)
            {
                var id = System.Text.RegularExpressions.Regex.Match(body.ToString(), "resp_[0-9a-f]+").Value;
                using var seen = await _stack.Http.GetAsync($"responses/{id}");
                Assert.Fail($"answered {(int)reply.StatusCode}: {body}; the planner has: {(int)seen.StatusCode} {await seen.Content.ReadAsStringAsync()}; {_stack.Logs}");
            }

            Assert.Equal("completed", body.Status());
            Assert.Equal("finished\n", body.CommandOutputs()[0].GetProperty("stdout").GetString());
        }

        await api.DisposeAsync();
    }
}
