using Berth.Executor;
using Berth.ServiceDefaults;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddExecutor();
builder.AddBerthMessaging(bus => bus.AddExecutorConsumers(), (context, rabbit) => rabbit.ConfigureExecutorEndpoints(context));

var app = builder.Build();
await app.RunAsync();
