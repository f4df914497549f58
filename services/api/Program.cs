using Berth.Api;
using Berth.Api.Containers;
using Berth.Api.Conversations;
using Berth.Api.Errors;
using Berth.Api.Files;
using Berth.Api.Models;
using Berth.Api.Responses;
using Berth.Api.Security;
using Berth.Api.Skills;
using Berth.Api.Webhooks;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Payloads;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPayloadStore();
builder.AddApi();
builder.AddApiKeys();
builder.AddBerthMessaging(bus => bus.AddApiConsumers(), (context, rabbit) => rabbit.ConfigureApiEndpoints(context));

var app = builder.Build();

app.UseOpenAIErrors();
app.MapServiceDefaults(tenantFacing: app.HasApiKeys());
app.UseApiKeys();
app.MapResponses();
app.MapModels();
app.MapContainers();
app.MapFiles();
app.MapConversations();
app.MapSkills();
app.MapWebhookEndpoints();

await app.RunAsync();
