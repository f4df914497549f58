using Berth.Api.Errors;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>OpenAI's list paging: <c>limit</c>, <c>order</c> (newest first by default) and an <c>after</c> cursor.</summary>
internal static class Pagination
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 20;

    public static ApiError? Validate(int? limit, string? order) =>
        limit is < 1 or > MaxLimit ? ApiError.InvalidRequest($"Invalid 'limit': expected an integer from 1 to {MaxLimit}.", "limit", RequestErrorCodes.InvalidValue)
        : order is not (null or "asc" or "desc") ? ApiError.InvalidRequest("Invalid 'order': expected 'asc' or 'desc'.", "order", RequestErrorCodes.InvalidValue)
        : null;

    /// <param name="oldestFirst">The items in ascending order.</param>
    public static (IReadOnlyList<T> Page, bool HasMore) Take<T>(IReadOnlyList<T> oldestFirst, int? limit, string? order, string? after, Func<T, string> id)
    {
        IEnumerable<T> ordered = order == "asc" ? oldestFirst : oldestFirst.Reverse();
        if (after is not null)
        {
            ordered = ordered.SkipWhile(item => id(item) != after).Skip(1);
        }

        var size = limit ?? DefaultLimit;
        var page = ordered.Take(size + 1).ToList();
        return page.Count > size ? (page[..size], true) : (page, false);
    }
}
