using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Berth.Bench;

/// <summary>
/// Sessions on a slow model: N background responses submitted at once, each one model turn of
/// a fixed think time and no tools (so no containers). Wall time runs from the first submission
/// to the last completion, heard by webhook, so intake counts; the ideal is one think time. What
/// limits it is how many model calls one planner keeps in flight.
/// </summary>
public static class SlowModelBench
{
    private static readonly string[] Endings = ["response.completed", "response.failed", "response.incomplete"];

    public static async Task RunAsync(BenchOptions options, Table table)
    {
        var thinkMs = options.Quick ? 300 : 3000;

        // Completions are heard as users of background responses hear them, by webhook, here on
        // loopback: polling a thousand responses would be the very load being measured.
        using var receiver = CompletionReceiver.Start();
        await using var stack = await LocalServices.StartAsync(new Dictionary<string, string> { ["Webhooks__AllowPrivateNetworks"] = "true" });
        using var http = new HttpClient { BaseAddress = stack.ApiUrl, Timeout = TimeSpan.FromMinutes(10) };
        using var registered = await http.PostAsJsonAsync("webhook_endpoints", new { url = receiver.Url, events = Endings });
        registered.EnsureSuccessStatusCode();
        foreach (var sessions in options.Quick ? new[] { 10 } : new[] { 100, 300, 1000 })
        {
            table.Add(await RunRowAsync(http, stack, receiver, sessions, thinkMs));
        }

        table.Add("model streaming", await FirstDeltaAsync(http, options.Quick ? 3 : 20));

        // Intake on its own: a model that thinks past the submissions, so no response finishes
        // (and nothing but each one's start competes for the CPU) while they come in. Last, as
        // these responses are left thinking when the stack stops.
        var intake = options.Quick ? 10 : 1000;
        var (_, submit, cpu) = await SubmitAllAsync(http, stack, intake, thinkMs: 120_000);
        table.Add(new IntakeRow(intake, submit, cpu));
    }

    /// <summary>
    /// How long the model's first words take to reach a client with <c>stream: true</c>: the
    /// scripted model writes each word as the moment it wrote it, and the client subtracts that
    /// from the moment the first <c>output_text.delta</c> reached it (one machine, one clock).
    /// </summary>
    private static async Task<Timings> FirstDeltaAsync(HttpClient http, int responses)
    {
        var timings = new Timings("first text delta at the client after the model wrote it (stream: true)");
        for (var i = 0; i < responses + 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "responses")
            {
                Content = JsonContent.Create(new { model = "berth-scripted", input = "[stream_ms=50] [stamp_words=3] go", stream = true }),
            };
            using var answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            answer.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await answer.Content.ReadAsStreamAsync());
            TimeSpan? lag = null;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (lag is null && line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"response.output_text.delta\"", StringComparison.Ordinal))
                {
                    var heard = DateTimeOffset.UtcNow;
                    using var data = JsonDocument.Parse(line["data: ".Length..]);
                    var written = long.Parse(data.RootElement.GetProperty("delta").GetString()!.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    lag = heard - DateTimeOffset.UnixEpoch.AddTicks(written * 10);
                }
            }

            if (i >= 2)
            {
                timings.Add(lag ?? throw new InvalidOperationException("A streamed response had no text delta."));
            }
        }

        return timings;
    }

    /// <summary>Submits the responses at once; returns their ids, how long that took, and the CPU each create cost, by process.</summary>
    private static async Task<(string[] Ids, TimeSpan Submit, Dictionary<string, double> CpuMs)> SubmitAllAsync(HttpClient http, LocalServices stack, int sessions, int thinkMs)
    {
        var cpu = CpuMeter.Start(stack, []);
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => SubmitAsync(http, thinkMs)));
        var submitted = clock.Elapsed;
        var perCreate = cpu.PerUnit(sessions).ToDictionary();
        perCreate["bench client"] = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalMilliseconds / sessions;
        return (ids, submitted, perCreate);
    }

    private static async Task<SlowModelRow> RunRowAsync(HttpClient http, LocalServices stack, CompletionReceiver receiver, int sessions, int thinkMs)
    {
        var clock = Stopwatch.StartNew();
        var (ids, submitted, intakeCpu) = await SubmitAllAsync(http, stack, sessions, thinkMs);
        var last = await receiver.WaitForAllAsync(ids, clock, TimeSpan.FromMinutes(10));
        return new SlowModelRow(sessions, thinkMs, submitted, last, stack.Planner.PeakMemoryMb(), intakeCpu);
    }

    private static async Task<string> SubmitAsync(HttpClient http, int thinkMs)
    {
        using var answer = await http.PostAsJsonAsync("responses", new { model = "berth-scripted", input = $"[think_ms={thinkMs}] hello", background = true });
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        return answer.IsSuccessStatusCode
            ? body.GetProperty("id").GetString()!
            : throw new InvalidOperationException($"A slow-model response was not taken: {(int)answer.StatusCode} {body}");
    }

    /// <summary>A webhook receiver on loopback that notes when each response's completion arrived.</summary>
    private sealed class CompletionReceiver : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly ConcurrentDictionary<string, (TimeSpan At, string Type)> _heard = new(StringComparer.Ordinal);
        private Stopwatch? _clock;

        private CompletionReceiver(HttpListener listener)
        {
            _listener = listener;
            _ = LoopbackHttp.ServeAsync(listener, HearAsync);
        }

        public string Url => _listener.Prefixes.Single();

        public static CompletionReceiver Start() => new(LoopbackHttp.Start());

        /// <summary>Waits until every response has been heard of; returns when the last one was, on <paramref name="clock"/>.</summary>
        public async Task<TimeSpan> WaitForAllAsync(string[] ids, Stopwatch clock, TimeSpan timeout)
        {
            _clock = clock;
            while (ids.Any(id => !_heard.ContainsKey(id)))
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"{ids.Count(id => !_heard.ContainsKey(id))} of {ids.Length} slow-model responses were not heard of in {timeout.TotalMinutes} minutes.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }

            var ended = ids.Select(id => _heard[id]).ToList();
            if (ended.FirstOrDefault(e => e.Type != "response.completed") is { Type: { } type })
            {
                throw new InvalidOperationException($"A slow-model response ended {type}.");
            }

            return ended.Max(e => e.At);
        }

        public void Dispose() => _listener.Close();

        private async Task HearAsync(HttpListenerContext context)
        {
            var at = _clock?.Elapsed ?? TimeSpan.Zero;
            using (var body = await JsonDocument.ParseAsync(context.Request.InputStream))
            {
                var root = body.RootElement;
                _heard.TryAdd(root.GetProperty("data").GetProperty("id").GetString()!, (at, root.GetProperty("type").GetString()!));
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}

/// <summary>Background creates submitted at once while nothing finishes: how fast the api and planner take them in.</summary>
public sealed record IntakeRow(int Sessions, TimeSpan Submit, IReadOnlyDictionary<string, double> CpuMs)
{
    public double CreatesPerSecond => Sessions / Submit.TotalSeconds;
}

/// <summary>One line of the slow-model table.</summary>
/// <param name="IntakeCpuMs">CPU milliseconds per create while the responses were submitted, by process (<see cref="IntakeColumns"/>).</param>
public sealed record SlowModelRow(int Sessions, int ThinkMs, TimeSpan Submit, TimeSpan Wall, double PlannerMb, IReadOnlyDictionary<string, double> IntakeCpuMs)
{
    public static readonly string[] IntakeColumns = ["bench client", "api", "planner", "scripted model", "RabbitMQ"];

    public double IdealSeconds => ThinkMs / 1000.0;

    public double Efficiency => IdealSeconds / Wall.TotalSeconds;

    public double CreatesPerSecond => Sessions / Submit.TotalSeconds;
}
