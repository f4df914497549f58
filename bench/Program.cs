using Berth.Bench;

// dotnet run --project bench -c Release [-- --short]
var options = BenchOptions.Parse(args);
var table = await SandboxBench.RunAsync(options);
Console.WriteLine(table.Render(options));
