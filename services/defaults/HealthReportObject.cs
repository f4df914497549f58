using System.Text.Json.Serialization;

namespace Berth.ServiceDefaults;

/// <summary>What <c>/health</c> answers: the overall status, and each check's status and reason.</summary>
public sealed record HealthReportObject(string Status, IReadOnlyDictionary<string, HealthCheckObject> Checks);

public sealed record HealthCheckObject(string Status, string? Description);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthReportObject))]
internal sealed partial class HealthReportJsonContext : JsonSerializerContext;
