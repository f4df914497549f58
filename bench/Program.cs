using Berth.Bench;

// dotnet run --project bench -c Release [-- --short]; RabbitMQ and Docker must be running (./berth setup).
var options = BenchOptions.Parse(args);
var table = new Table();
await SandboxBench.RunAsync(options, table);
await PipelineBench.RunAsync(options, table);
Console.WriteLine(table.Render(options));
