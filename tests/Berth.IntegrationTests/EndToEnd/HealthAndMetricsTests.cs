using System.Net;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary><c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c> on every service.</summary>
[Collection(StackCollection.Name)]
public sealed class HealthAndMetricsTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public HealthAndMetricsTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_be_ready_on_every_service_when_broker_store_and_docker_answer()
    {
        using var http = new HttpClient();
        foreach (var service in new[] { new Uri(_stack.ApiBaseUrl, "/"), _stack.PlannerUrl, _stack.ExecutorUrl })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(service, "/health/live"))).StatusCode);
            using var ready = await http.GetAsync(new Uri(service, "/health/ready"));
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{service} is not ready: {await ready.Content.ReadAsStringAsync()}");

            // The report names each check, so an operator sees which dependency is missing.
            using var report = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
            var checks = report.RootElement.GetProperty("checks").EnumerateObject().ToList();
            Assert.NotEmpty(checks);
            Assert.All(checks, check => Assert.Equal("Healthy", check.Value.GetProperty("status").GetString()));
        }
    }

    [Fact]
    public async Task Should_serve_response_model_tool_and_container_metrics_for_Prometheus_after_a_run()
    {
        await _api.CreateAsync(ResponsesApi.ShellRequest("echo measured"));
        using var http = new HttpClient();

        var planner = await http.GetStringAsync(new Uri(_stack.PlannerUrl, "/metrics"));
        Assert.Contains("berth_responses_finished_total{", planner, StringComparison.Ordinal);
        Assert.Contains("status=\"completed\"", planner, StringComparison.Ordinal);
        Assert.Contains("gen_ai_client_operation_duration_seconds_bucket{", planner, StringComparison.Ordinal);
        Assert.Contains("gen_ai_token_type=\"input\"", planner, StringComparison.Ordinal);
        Assert.Contains("berth_queue_messages{", planner, StringComparison.Ordinal);
        Assert.Contains("queue=\"berth-sessions\"", planner, StringComparison.Ordinal);

        // The run may have gone to either executor; each reports its own containers.
        var executor = await http.GetStringAsync(new Uri(_stack.ExecutorUrl, "/metrics"));
        Assert.Contains("berth_containers{", executor, StringComparison.Ordinal);
        Assert.Contains("state=\"warm\"", executor, StringComparison.Ordinal);

        var api = await http.GetStringAsync(new Uri(_stack.ApiBaseUrl, "/metrics"));
        Assert.Contains("http_server_request_duration_seconds_bucket{", api, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_serve_health_and_metrics_only_on_the_management_port_when_one_is_set()
    {
        var managementPort = FreeLoopbackPort();
        var (api, http) = await _stack.StartApiAsync("api-management",
            ("ASPNETCORE_URLS", $"http://127.0.0.1:0;http://127.0.0.1:{managementPort}"), ("Management__Port", managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using (api)
        using (http)
        {
            var management = new Uri($"http://127.0.0.1:{managementPort}/");
            Assert.NotEqual(management.Port, http.BaseAddress!.Port);

            // The public port serves the API and nothing of the operator's.
            using (var served = await http.PostAsync("responses", System.Net.Http.Json.JsonContent.Create(ResponsesApi.ShellRequest("echo public"))))
            {
                Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            }

            foreach (var path in new[] { "/metrics", "/health/ready", "/health/live" })
            {
                Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(http.BaseAddress, path))).StatusCode);
            }

            // The management port serves health and metrics, and not the API.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(management, "/health/ready"))).StatusCode);
            Assert.Contains("http_server_request_duration_seconds_bucket{", await http.GetStringAsync(new Uri(management, "/metrics")), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri(management, "/v1/responses"), System.Net.Http.Json.JsonContent.Create(ResponsesApi.ShellRequest("echo management")))).StatusCode);
        }
    }

    [Fact]
    public async Task Should_stop_when_the_management_port_is_not_one_it_listens_on()
    {
        var api = ServiceProcess.StartService("api-management-unbound", "api", new Dictionary<string, string>
        {
            ["ConnectionStrings__rabbitmq"] = _stack.RabbitMq.ConnectionString!,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Management__Port"] = FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, _stack.LogDirectory);
        await using (api)
        {
            await Eventually.TrueAsync(() => Task.FromResult(api.HasExited), TimeSpan.FromSeconds(60), "the api to stop, its management port not listened on");
            Assert.NotEqual(0, await api.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            Assert.Contains("Management:Port", api.Output(), StringComparison.Ordinal);
        }
    }

    /// <summary>A loopback port free at this moment, for a setting that must name one ahead of binding.</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Should_turn_unready_while_the_broker_is_unreachable_and_ready_again_when_it_returns()
    {
        var (proxy, viaProxy) = await TcpProxy.ForBrokerAsync(_stack.RabbitMq.ConnectionString!);
        await using var cut = proxy;
        var (api, apiHttp) = await _stack.StartApiAsync("api-health", ("ConnectionStrings__rabbitmq", viaProxy));
        using (apiHttp)
        {
            var ready = new Uri(apiHttp.BaseAddress!, "/health/ready");
            var live = new Uri(apiHttp.BaseAddress!, "/health/live");
            Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(apiHttp, ready, HttpStatusCode.OK, TimeSpan.FromSeconds(30)));

            proxy.Cut();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusWithinAsync(apiHttp, ready, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60)));
            Assert.Equal(HttpStatusCode.OK, (await apiHttp.GetAsync(live)).StatusCode);

            proxy.Restore();
            Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(apiHttp, ready, HttpStatusCode.OK, TimeSpan.FromSeconds(90)));

            // Back for real: it serves a response again.
            using var served = await apiHttp.PostAsync("responses", System.Net.Http.Json.JsonContent.Create(ResponsesApi.ShellRequest("echo back")));
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        await api.DisposeAsync();
    }

    private static async Task<HttpStatusCode> StatusWithinAsync(HttpClient http, Uri url, HttpStatusCode wanted, TimeSpan within)
    {
        var last = "";
        await Eventually.TrueAsync(async () =>
        {
            using var response = await http.GetAsync(url);
            last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == wanted;
        }, within, $"{url} to answer {(int)wanted}", () => last);
        return wanted;
    }
}
