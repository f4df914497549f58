using System.Text.Json;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Models;
using MassTransit;
using Microsoft.Extensions.Options;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// <c>POST /v1/responses/compact</c>: reads the request as OpenAI's SDKs send it, has a planner
/// summarise the conversation, and answers with <c>response.compaction</c>: the user's
/// messages, then one compaction item, and the usage of the call that made it.
/// </summary>
internal sealed class CompactionService(PlannerClient planner, InputFiles inputFiles, IOptions<ApiOptions> options,
    IOptions<ModelCatalog> catalog, RequestTenant tenant, TimeProvider time)
{
    private static readonly HashSet<string> Known =
        ["model", "input", "instructions", "previous_response_id", "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "image"];

    public async Task<IResult> CompactAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        CompactConversation request;
        using (body)
        {
            try
            {
                request = Parse(body.RootElement);
            }
            catch (JsonFields.RequestException e)
            {
                return e.Error.ToResult();
            }
        }

        if (catalog.Value.Refusal(tenant.Id, request.Model) is { } refusal)
        {
            return ApiError.InvalidRequest(refusal, "model", RequestErrorCodes.ModelNotFound).ToResult();
        }

        // The summary is a model call, as long as a response's step may be: it gets the time a waiting response gets.
        var (input, unusable) = await inputFiles.ResolveAsync(request.Input, cancellationToken);
        if (unusable is not null)
        {
            return unusable.ToResult();
        }

        var reply = await planner.Ask<CompactConversation>(RequestTimeout.After(s: options.Value.SyncTimeoutSeconds)).GetResponse<ConversationCompacted, TaskRejected>(request with { Input = input! }, cancellationToken);
        return reply.Is(out Response<ConversationCompacted>? compacted)
            ? Results.Bytes(Serialize(compacted.Message), "application/json")
            : reply.Is(out Response<TaskRejected>? rejected)
                ? ApiError.InvalidRequest(rejected.Message.Message, rejected.Message.Param, rejected.Message.Code).ToResult()
                : throw new InvalidOperationException("The planner answered neither compacted nor rejected.");
    }

    private CompactConversation Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for the body: expected an object, but got {Describe(body)} instead.", null, RequestErrorCodes.InvalidType);
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!Known.Contains(property.Name))
            {
                throw Invalid($"Unknown parameter: '{Shortened(property.Name)}'.", Shortened(property.Name), RequestErrorCodes.UnknownParameter);
            }

            if (property.Name is "prompt_cache_key" or "prompt_cache_options" or "prompt_cache_retention" or "image" && property.Value.ValueKind != JsonValueKind.Null)
            {
                throw Invalid($"'{property.Name}' is not supported on compact: Berth's summary is one call of its own.", property.Name, RequestErrorCodes.UnsupportedParameter);
            }
        }

        var model = RequiredString(body, "model");
        if (ModelCatalog.NameProblem(model) is { } badName)
        {
            throw Invalid(badName, "model", RequestErrorCodes.InvalidValue);
        }

        var previous = OptionalString(body, "previous_response_id");
        if (previous is not null && !Errors.IdFormat.IsResponseId(previous))
        {
            throw Invalid($"Previous response with id '{Shortened(previous)}' not found.", "previous_response_id", RequestErrorCodes.PreviousResponseNotFound);
        }

        var input = Optional(body, "input") is { ValueKind: not JsonValueKind.Null } ? InputItemsParser.Parse(body) : [];
        if (input.Count == 0 && previous is null)
        {
            throw Invalid("Missing required parameter: 'input' (or 'previous_response_id'): there is nothing to compact.", "input", RequestErrorCodes.MissingRequiredParameter);
        }

        return new CompactConversation
        {
            Id = $"resp_{Guid.NewGuid():N}",
            Model = model,
            Instructions = OptionalString(body, "instructions"),
            Input = input,
            PreviousResponseId = previous,
            Tenant = tenant.Id,
            CreatedAt = time.GetUtcNow(),
        };
    }

    private static byte[] Serialize(ConversationCompacted compacted) =>
        JsonSerializer.SerializeToUtf8Bytes(CompactionResultObject.From(compacted), Wire.ApiJsonContext.Default.CompactionResultObject);
}
