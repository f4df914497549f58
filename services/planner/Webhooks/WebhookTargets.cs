using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Webhooks;

/// <summary>
/// Keeps a tenant's webhooks off internal addresses: a receiver's host must resolve to public
/// addresses only, checked when the endpoint is registered and again as each delivery connects,
/// to the very address it connects to, so a name that later resolves elsewhere (DNS rebinding)
/// reaches nothing inside. <c>Webhooks:AllowPrivateNetworks</c> turns the check off, for development.
/// </summary>
internal sealed class WebhookTargets(IWebhookResolver resolver, IOptions<WebhookOptions> options)
{
    public const string NotPublic = "the receiver's host resolves to an address that is not public";

    /// <summary>Why a receiver's host may not be called, or null when it may.</summary>
    public async Task<string?> ProblemAsync(string host, CancellationToken cancellationToken)
    {
        if (options.Value.AllowPrivateNetworks)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        }
        catch (SocketException)
        {
            return "the receiver's host does not resolve";
        }

        return addresses.Length == 0 ? "the receiver's host does not resolve"
            : addresses.All(WebhookAddresses.IsPublic) ? null
            : NotPublic;
    }

    /// <summary>
    /// The connection for a delivery (a <see cref="SocketsHttpHandler.ConnectCallback"/>):
    /// resolves the host once, refuses it unless every address is public, and connects to one of
    /// those same addresses.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = await resolver.ResolveAsync(host, cancellationToken);
        if (!options.Value.AllowPrivateNetworks && (addresses.Length == 0 || !addresses.All(WebhookAddresses.IsPublic)))
        {
            throw new WebhookTargetRefusedException();
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>A delivery refused before connecting: its receiver's host resolves to an address that is not public.</summary>
internal sealed class WebhookTargetRefusedException() : Exception(WebhookTargets.NotPublic);
