using Berth.Api.Containers;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Api.Wire;
using Berth.Contracts;
using Berth.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Responses;

/// <summary><c>GET /v1/responses/{id}/input_items</c> and <c>DELETE /v1/responses/{id}</c>: a stored response's records, asked of the planner that owns them.</summary>
internal sealed class ResponseRecordsService(
    PlannerClient planner,
    RequestTenant tenant)
{

    /// <summary>The input in OpenAI's list shape, newest first unless <c>order=asc</c>, paged with <c>after</c> or <c>before</c> an item id.</summary>
    public async Task<IResult> ListInputItemsAsync(string responseId, int? limit, string? order, string? after, string? before, IReadOnlyList<string> include, CancellationToken cancellationToken)
    {
        if (Pagination.Validate(limit, order) is { } invalid)
        {
            return invalid.ToResult();
        }

        foreach (var (name, cursor) in new[] { ("after", after), ("before", before) })
        {
            if (cursor is not null && !InputItemsParser.IsItemId(cursor))
            {
                return ApiError.InvalidRequest($"Invalid '{name}': expected the id of an item from a previous page (at most {InputItemsParser.MaxIdLength} letters, digits, '_' and '-').", name, RequestErrorCodes.InvalidValue).ToResult();
            }
        }

        if (after is not null && before is not null)
        {
            return ApiError.InvalidRequest("Give 'after' or 'before', not both.", "before", RequestErrorCodes.InvalidValue).ToResult();
        }

        if (include.Select(IncludeValues.Refusal).FirstOrDefault(refusal => refusal is not null) is { } refused)
        {
            return ApiError.InvalidRequest(refused, "include", RequestErrorCodes.UnsupportedParameter).ToResult();
        }

        var reply = await planner.Ask<GetResponseInput>().GetResponse<ResponseInput, ResponseNotFound>(new GetResponseInput(responseId) { Tenant = tenant.Id }, cancellationToken);
        if (!reply.Is(out Response<ResponseInput>? found))
        {
            return NotFound(responseId);
        }

        var (page, hasMore) = before is null
            ? Pagination.Take(found.Message.Items, limit, order, after, i => i.Id!)
            : PageBefore(found.Message.Items, limit ?? Pagination.DefaultLimit, order, before);
        return Results.Bytes(ResponseJson.SerializeItems(page, hasMore), "application/json");
    }

    /// <summary>Deletes a finished response; one still running is a 400, as it has a session writing to it.</summary>
    public async Task<IResult> DeleteAsync(string responseId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<DeleteResponse>().GetResponse<ResponseDeleted, ResponseSnapshot, ResponseNotFound>(new DeleteResponse(responseId) { Tenant = tenant.Id }, cancellationToken);
        if (reply.Is(out Response<ResponseSnapshot>? running))
        {
            return ApiError.InvalidRequest($"Response '{responseId}' is {running.Message.Status}: cancel it, or let it finish, before deleting it.", null, ErrorCodes.ResponseNotFinished).ToResult();
        }

        return reply.Is(out Response<ResponseDeleted>? _)
            ? Results.Bytes(DeletedObject.Serialize(responseId, "response"), "application/json")
            : NotFound(responseId);
    }

    /// <summary>The page that ends just before the cursor, in the order asked for; more follow when earlier items are left.</summary>
    private static (IReadOnlyList<InputMessage> Page, bool HasMore) PageBefore(IReadOnlyList<InputMessage> oldestFirst, int limit, string? order, string before)
    {
        if (!oldestFirst.Any(i => i.Id == before))
        {
            return ([], false);
        }

        IEnumerable<InputMessage> ordered = order == "asc" ? oldestFirst : oldestFirst.Reverse();
        var preceding = ordered.TakeWhile(i => i.Id != before).ToList();
        return (preceding.TakeLast(limit).ToList(), preceding.Count > limit);
    }

    private static IResult NotFound(string responseId) => ApiError.NotFound($"Response with id '{responseId}' not found.").ToResult();

}
