using Berth.Planner;
using Berth.ServiceDefaults;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddPlanner();
builder.AddBerthMessaging(bus => bus.AddPlannerConsumers());

var app = builder.Build();
await app.RunAsync();
