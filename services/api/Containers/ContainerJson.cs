using System.Text.Json;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Containers;

/// <summary>Renders OpenAI's <c>container</c> object.</summary>
public static class ContainerJson
{
    public static void Write(Utf8JsonWriter writer, ContainerSnapshot container)
    {
        writer.WriteStartObject();
        writer.WriteString("id", container.Id);
        writer.WriteString("object", "container");
        writer.WriteNumber("created_at", container.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("status", container.Status);
        writer.WriteStartObject("expires_after");
        writer.WriteString("anchor", "last_active_at");
        writer.WriteNumber("minutes", container.IdleMinutes);
        writer.WriteEndObject();
        writer.WriteNumber("last_active_at", container.LastActiveAt.ToUnixTimeSeconds());
        if (container.MemoryMb is { } memory)
        {
            writer.WriteString("memory_limit", $"{memory / 1024}g");
        }

        writer.WriteString("name", container.Name);
        writer.WritePropertyName("network_policy");
        WriteNetworkPolicy(writer, container.NetworkPolicy ?? new NetworkPolicySpec());
        writer.WriteEndObject();
    }

    public static void WriteNetworkPolicy(Utf8JsonWriter writer, NetworkPolicySpec policy)
    {
        writer.WriteStartObject();
        writer.WriteString("type", policy.Type);
        if (policy.Type == NetworkPolicySpec.Allowlist)
        {
            writer.WriteStartArray("allowed_domains");
            foreach (var domain in policy.AllowedDomains)
            {
                writer.WriteStringValue(domain);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static byte[] Serialize(ContainerSnapshot container) => JsonBytes.Write(writer => Write(writer, container));

    public static byte[] SerializeList(IReadOnlyList<ContainerSnapshot> page, bool hasMore) =>
        ListJson.Serialize(page, hasMore, c => c.Id, Write);

    public static byte[] SerializeDeleted(string containerId) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", containerId);
        writer.WriteString("object", "container.deleted");
        writer.WriteBoolean("deleted", true);
        writer.WriteEndObject();
    });
}
