using Berth.ScriptedModel;

// Runs the command-runner script on the address given by --urls (default http://127.0.0.1:5199).
var url = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault() ?? "http://127.0.0.1:5199";
await using var server = await ScriptedModelServer.StartAsync(url);
Console.WriteLine($"Berth scripted model (not a language model: it runs the lines of your input as commands) on {server.BaseUrl}");
await server.WaitForShutdownAsync();
