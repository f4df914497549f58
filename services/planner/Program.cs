using Berth.Planner;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Payloads;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPayloadStore();
builder.AddPlanner();
var store = builder.AddPlannerStorage();
builder.AddBerthMessaging(bus => bus.AddPlannerConsumers(store), (context, rabbit) => rabbit.ConfigurePlannerEndpoints(context));

var app = builder.Build();

app.MapServiceDefaults();

await app.RunAsync();
