using Berth.Api.Errors;
using Berth.Contracts;
using Microsoft.Extensions.Options;

namespace Berth.Api.Responses;

/// <summary>
/// The event streams each tenant has open on this api instance, at most
/// <see cref="ApiOptions.MaxStreamsPerTenant"/>: one tenant's thousand idle streams must not hold
/// every connection and keep the planner answering their store reads.
/// </summary>
internal sealed class StreamSlots(IOptions<ApiOptions> options)
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>A slot, held until disposed; null when the tenant has none left.</summary>
    public IDisposable? TryTake(string? tenant)
    {
        var max = options.Value.MaxStreamsPerTenant;
        var key = tenant ?? "";
        lock (_open)
        {
            var open = _open.GetValueOrDefault(key);
            if (max > 0 && open >= max)
            {
                return null;
            }

            _open[key] = open + 1;
        }

        return new Slot(this, key);
    }

    /// <summary>The 429 a stream over the limit gets.</summary>
    public IResult Refusal() => new ApiError(StatusCodes.Status429TooManyRequests,
        $"Too many streams open: your tenant may have {options.Value.MaxStreamsPerTenant} at once on this server. Close one, or poll GET /v1/responses/{{id}} instead.",
        "requests", null, ErrorCodes.StreamLimitExceeded).ToResult();

    private void Release(string tenant)
    {
        lock (_open)
        {
            if (--_open[tenant] == 0)
            {
                _open.Remove(tenant);
            }
        }
    }

    private sealed class Slot(StreamSlots slots, string tenant) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release(tenant);
            }
        }
    }
}
