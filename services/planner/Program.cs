using Berth.Planner;
using Berth.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPlanner();
var store = builder.AddPlannerStorage();
builder.AddBerthMessaging(bus => bus.AddPlannerConsumers(store), (context, rabbit) => rabbit.ConfigurePlannerEndpoints(context));

var app = builder.Build();

app.MapServiceDefaults();

await app.RunAsync();
