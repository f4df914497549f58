using Berth.Executor;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Payloads;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPayloadStore();
await builder.ClaimExecutorIdentityAsync();
builder.AddExecutor();
builder.AddBerthMessaging(bus => bus.AddExecutorConsumers(), (context, rabbit) => rabbit.ConfigureExecutorEndpoints(context));

var app = builder.Build();

app.MapServiceDefaults();

await app.RunAsync();
