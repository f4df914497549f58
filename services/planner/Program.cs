using Berth.Planner;
using Berth.ServiceDefaults;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddPlanner();
var store = builder.AddPlannerStorage();
builder.AddBerthMessaging(bus => bus.AddPlannerConsumers(store), (context, rabbit) => rabbit.ConfigurePlannerEndpoints(context));

var app = builder.Build();
await app.RunAsync();
