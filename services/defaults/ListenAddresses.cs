using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.ServiceDefaults;

/// <summary>What a service listens on, as Kestrel reports it, and whom a connection is from.</summary>
public static class ListenAddresses
{
    /// <summary>The addresses Kestrel bound: read once the service has started, whichever setting asked for them.</summary>
    public static ICollection<string> Bound(IServiceProvider services) =>
        services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    /// <summary>A listening URL as a <see cref="Uri"/>; <c>+</c> and <c>*</c> (every address) read as a host name, so that it parses.</summary>
    public static Uri? Parse(string url) =>
        Uri.TryCreate(url.Replace("://+", "://wildcard", StringComparison.Ordinal).Replace("://*", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            ? uri
            : null;

    /// <summary>Whether the address is this machine's, IPv4 seen through IPv6 included.</summary>
    public static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
