namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// A RabbitMQ virtual host of a test's own, made with <c>rabbitmqctl</c>: services on it share
/// the broker but none of its queues, so a test can stand up a service with nobody to answer it.
/// </summary>
public static class VirtualHosts
{
    /// <summary>The broker's address in a new virtual host, or why one cannot be made here (only a local broker has <c>rabbitmqctl</c>).</summary>
    public static async Task<(Uri? Broker, string? Reason)> AddAsync(Uri broker, string name)
    {
        var user = Uri.UnescapeDataString(broker.UserInfo.Split(':')[0]);
        if (!broker.IsLoopback || !await ChildProcess.AnswersAsync("rabbitmqctl", "-q", "add_vhost", name))
        {
            return (null, $"This needs a virtual host of its own on a local broker, made with rabbitmqctl; the broker here is at {broker.Host}.");
        }

        var (code, output) = await ChildProcess.RunAsync("rabbitmqctl", ["-q", "set_permissions", "-p", name, user, ".*", ".*", ".*"]);
        if (code != 0)
        {
            return (null, $"rabbitmqctl could not give {user} the virtual host {name}: {output}");
        }

        return (new UriBuilder(broker) { Path = "/" + Uri.EscapeDataString(name) }.Uri, null);
    }

    public static Task DeleteAsync(string name) => ChildProcess.RunAsync("rabbitmqctl", ["-q", "delete_vhost", name]);
}
