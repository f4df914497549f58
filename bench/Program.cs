using Berth.Bench;

// dotnet run --project bench -c Release [-- --short] [-- --only sandbox|snapshots|pipeline|neighbour|slow-model|throughput|context];
// RabbitMQ and Docker must be running (./berth setup).
var options = BenchOptions.Parse(args);
var table = new Table();
if (options.Runs(BenchOptions.Sandbox))
{
    await SandboxBench.RunAsync(options, table);
}

if (options.Runs(BenchOptions.Snapshots))
{
    await SnapshotBench.RunAsync(options, table);
}

if (options.Runs(BenchOptions.Pipeline))
{
    await PipelineBench.RunAsync(options, table);
}

if (options.Runs(BenchOptions.Neighbour))
{
    await NeighbourBench.RunAsync(options, table);
}

if (options.Runs(BenchOptions.SlowModel))
{
    await SlowModelBench.RunAsync(options, table);
}

if (options.Runs(BenchOptions.Context))
{
    ContextBench.Run(options, table);
}

Console.WriteLine(table.Render(options));
