using System.ComponentModel.DataAnnotations;

namespace Berth.Planner.Webhooks;

/// <summary>Section <c>Webhooks</c>.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Hosts receivers may be on; empty allows any. An operator setting, so requests cannot aim Berth at internal services.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Lets tenants' receivers be on loopback, private, link-local and other addresses that are
    /// not public. Off by default: a tenant could otherwise aim Berth at the services inside its
    /// network (cloud metadata at 169.254.169.254, an admin port on loopback). For development.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The most endpoints one tenant may register.</summary>
    [Range(1, 1000)]
    public int MaxEndpointsPerTenant { get; set; } = 10;

    /// <summary>A receiver must answer 2xx within this; anything else is a failed attempt.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Pause before each retry, in seconds, with ±20% jitter. The default spans about nine hours;
    /// after the last, the event is given up (<c>dead</c>) and stays visible in the delivery log.
    /// </summary>
    public int[]? RetryDelaysSeconds { get; set; }

    // Not the property's initial value: the configuration binder adds configured items to an
    // initialised collection instead of replacing it.
    private static readonly int[] DefaultDelays = [5, 30, 120, 600, 1800, 3600, 7200, 7200, 10800];

    public IReadOnlyList<int> Delays => RetryDelaysSeconds is { Length: > 0 } configured ? configured : DefaultDelays;

    /// <summary>Receivers configured at start-up, besides those registered over HTTP.</summary>
    public List<ConfiguredEndpoint> Endpoints { get; set; } = [];

    public sealed class ConfiguredEndpoint
    {
        public string Url { get; set; } = "";
        public string Secret { get; set; } = "";
        public List<string> Events { get; set; } = [];

        /// <summary>The tenant it belongs to and hears, listed under its key; unset, it hears every tenant and is listed to none.</summary>
        public string? Tenant { get; set; }
    }
}
