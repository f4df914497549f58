using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api;

/// <summary>
/// How the api asks the planner (and, through it, the executors): a request over the bus that
/// waits at most <see cref="ApiOptions.PlannerTimeoutSeconds"/> unless the caller says otherwise.
/// A request nobody answers in time throws <see cref="RequestTimeoutException"/>, which
/// <see cref="Errors.PlannerTimeoutHandler"/> turns into a 503 for the client.
/// </summary>
internal sealed class PlannerClient(IClientFactory clients, IOptions<ApiOptions> options)
{
    public RequestTimeout Timeout => RequestTimeout.After(s: options.Value.PlannerTimeoutSeconds);

    /// <summary>A request published to whichever service consumes <typeparamref name="T"/>.</summary>
    public IRequestClient<T> Ask<T>(RequestTimeout? timeout = null) where T : class =>
        clients.CreateRequestClient<T>(timeout ?? Timeout);

    /// <summary>A request sent to one queue, for messages several consumers could take.</summary>
    public IRequestClient<T> Ask<T>(string queue, RequestTimeout? timeout = null) where T : class =>
        Ask<T>(new Uri($"queue:{queue}"), timeout);

    /// <summary>A request sent to one address: an executor's own queue, for its session's files.</summary>
    public IRequestClient<T> Ask<T>(Uri address, RequestTimeout? timeout = null) where T : class =>
        clients.CreateRequestClient<T>(address, timeout ?? Timeout);
}
