using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>An api whose planners are all gone answers 503 in OpenAI's shape, which a client may retry, never a 500.</summary>
[Collection(StackCollection.Name)]
public sealed class PlannerUnavailableTests
{
    private readonly BerthStack _stack;

    public PlannerUnavailableTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_answer_503_planner_unavailable_when_no_planner_answers_in_time()
    {
        // An api on a virtual host of its own: the broker answers, no planner listens there.
        var virtualHost = $"berth-no-planner-{Guid.NewGuid():N}";
        var (broker, reason) = await VirtualHosts.AddAsync(new Uri(_stack.RabbitMq.ConnectionString!), virtualHost);
        Assert.SkipWhen(broker is null, reason ?? "");
        try
        {
            var (api, http) = await _stack.StartApiAsync("api-no-planner", ("ConnectionStrings__rabbitmq", broker!.AbsoluteUri), ("Api__PlannerTimeoutSeconds", "1"));
            await using var _ = api;
            using (http)
            {
                foreach (var path in new[] { "responses/resp_0123456789abcdef0123456789abcdef", "containers" })
                {
                    using var answer = await http.GetAsync(path, TestContext.Current.CancellationToken);
                    var body = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"GET {path}: {(int)answer.StatusCode} {body}");
                    var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
                    Assert.Equal(("server_error", "planner_unavailable"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
                }
            }
        }
        finally
        {
            await VirtualHosts.DeleteAsync(virtualHost);
        }
    }
}
