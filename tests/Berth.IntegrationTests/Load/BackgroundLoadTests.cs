using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Load;

/// <summary>
/// Two hundred background responses at once against the whole stack: every one must reach a
/// terminal status, and the receiver must see each one's webhook (at least once; deduplicated by
/// <c>webhook-id</c>, exactly once). Figures are printed, never asserted: this machine's speed is
/// not a property of Berth.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BackgroundLoadTests(BerthStack stack, ITestOutputHelper output)
{
    private const int Responses = 200;

    [Fact]
    public async Task Should_finish_every_background_response_and_deliver_each_webhook_once()
    {
        stack.BeginTest();
        var api = new ResponsesApi(stack);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 0);
        using var registered = await stack.Http.PostAsJsonAsync("webhook_endpoints", new { url = receiver.Url });
        var endpointId = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        try
        {
            var clock = Stopwatch.StartNew();
            // No shell tool: this measures the api, the bus, the planner and the webhooks, not Docker.
            var submitted = await Task.WhenAll(Enumerable.Range(0, Responses).Select(i => api.CreateAsync(new Dictionary<string, object>
            {
                ["model"] = "berth-scripted",
                ["input"] = $"load {i}",
                ["background"] = true,
            })));
            var accepted = clock.Elapsed;
            var ids = submitted.Select(r => r.GetProperty("id").GetString()!).ToHashSet();
            Assert.Equal(Responses, ids.Count);

            await Eventually.TrueAsync(() => Task.FromResult(Delivered(receiver, ids).Count == Responses), TimeSpan.FromMinutes(3), $"every webhook of {Responses} responses");

            var delivered = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2));

            var statuses = await Task.WhenAll(ids.Select(async id => (await api.GetAsync(id)).Body.Status()));
            var byStatus = statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
            var seen = receiver.Requests.Where(r => ids.Contains(ResponseOf(r))).ToList();
            var unique = Delivered(receiver, ids);

            output.WriteLine($"{Responses} background responses: accepted in {accepted.TotalSeconds:0.0} s, "
                + $"all webhooks in {delivered.TotalSeconds:0.0} s; statuses {string.Join(", ", byStatus.Select(p => $"{p.Key}={p.Value}"))}; "
                + $"webhook requests {seen.Count}, distinct webhook-ids {unique.Count}, duplicates {seen.Count - unique.Count}");

            // Completed, not merely ended: a run in which everything failed must not pass.
            Assert.All(statuses, status => Assert.Equal("completed", status));

            // One distinct webhook-id per response: more would mean an event sent twice under new ids.
            Assert.Equal(Responses, unique.Count);
            Assert.Equal(ids.Order(), unique.Values.Order());
        }
        finally
        {
            await stack.Http.DeleteAsync($"webhook_endpoints/{endpointId}");
        }
    }

    private static string ResponseOf(WebhookReceiver.Received request) =>
        JsonDocument.Parse(request.Body).RootElement.GetProperty("data").GetProperty("id").GetString()!;

    /// <summary>Accepted deliveries of these responses, one per webhook-id: webhook-id → response id.</summary>
    private static Dictionary<string, string> Delivered(WebhookReceiver receiver, HashSet<string> ids) =>
        receiver.Requests
            .Where(r => r.AnsweredWith == 204)
            .Select(r => (r.WebhookId, Response: ResponseOf(r)))
            .Where(r => ids.Contains(r.Response))
            .GroupBy(r => r.WebhookId)
            .ToDictionary(g => g.Key, g => g.First().Response);
}
