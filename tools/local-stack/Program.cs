using System.Runtime.InteropServices;
using Berth.LocalStack;

// `berth up`: the whole stack on this machine's loopback, with its logs in the given directory,
// until Ctrl+C. The services inherit this process's environment (the broker, a model's key).
if (args is not ["up", var logs])
{
    await Console.Error.WriteLineAsync("usage: Berth.LocalStack up <log directory>");
    return 2;
}

static void Say(string message) => Console.Error.WriteLine($"\u001b[1m==> {message}\u001b[0m");

string Setting(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    stopping.Cancel();
});

var services = new List<ServiceProcess>();
try
{
    var planner = new Dictionary<string, string>
    {
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:8081",

        // A development stack on one machine: webhook receivers on this machine's loopback are
        // allowed (a deployment keeps the default, public addresses only).
        ["Webhooks__AllowPrivateNetworks"] = Setting("Webhooks__AllowPrivateNetworks", "true"),
    };
    if (Setting("OPENAI_BASE_URL", "") == "" && Setting("OPENAI_API_KEY", "") == "")
    {
        Say("no model configured (OPENAI_BASE_URL / OPENAI_API_KEY): using Berth's SCRIPTED model.");
        Say("It is not a language model: it runs each line of your input as a shell command and reports the output.");
        services.Add(ServiceProcess.Start("scripted-model", BerthRepository.ScriptedModelDll, new Dictionary<string, string>(), logs,
            args: ["--urls", "http://127.0.0.1:5199"], readyLine: "Berth scripted model"));
        planner["OPENAI_BASE_URL"] = "http://127.0.0.1:5199/v1";
    }

    if (Setting("ConnectionStrings__mongodb", "") == "")
    {
        Say("no ConnectionStrings__mongodb: the planner keeps responses and sessions in memory (lost when it stops).");
        planner["Planner__Store"] = "InMemory";
    }

    // Each service answers /health/live, /health/ready and /metrics on its own port.
    var host = Setting("HOSTNAME", "host");
    var url = Setting("ASPNETCORE_URLS", "http://127.0.0.1:8080");
    services.Add(ServiceProcess.StartService("planner", "planner", planner, logs));
    services.Add(ServiceProcess.StartService("executor-1", "executor", new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:8082", ["Executor__InstanceId"] = $"{host}-1" }, logs));
    services.Add(ServiceProcess.StartService("executor-2", "executor", new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:8083", ["Executor__InstanceId"] = $"{host}-2" }, logs));
    var api = ServiceProcess.StartService("api", "api", new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url }, logs);
    services.Add(api);

    await api.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)).WaitAsync(stopping.Token);
    Say($"Berth is up on {url} (logs in {logs}/*.log). Try:");
    await Console.Error.WriteLineAsync($$"""
          curl -s {{url}}/v1/responses -H 'content-type: application/json' -d '{
            "model": "gpt-4o-mini",
            "input": "uname -a\necho hello > greeting.txt\ncat greeting.txt",
            "tools": [{"type": "shell"}]
          }'
        """);
    Say("Ctrl+C stops everything.");
    await Task.Delay(Timeout.Infinite, stopping.Token);
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // Ctrl+C or SIGTERM: stop below.
}
finally
{
    Say("stopping");
    await Task.WhenAll(services.Select(async service =>
    {
        try
        {
            await service.StopAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // Disposing kills what did not stop in time.
        }

        await service.DisposeAsync();
    }));
}

return 0;
