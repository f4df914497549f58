using System.ComponentModel.DataAnnotations;

namespace Berth.Api;

/// <summary>Section <c>Api</c>.</summary>
internal sealed class ApiOptions : IValidatableObject
{
    public const string Section = "Api";

    /// <summary>How long a request waits for the planner to take or read a response before answering 503.</summary>
    [Range(1, 600)]
    public int PlannerTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long a request without <c>background</c> waits for its response to finish. After that
    /// it returns the response as it stands (<c>in_progress</c>) and the client polls it.
    /// </summary>
    [Range(1, 86_400)]
    public int SyncTimeoutSeconds { get; set; } = 600;

    /// <summary>Requests per minute each tenant may make; over it, 429 with <c>Retry-After</c>. 0: no limit.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerMinutePerTenant { get; set; }

    /// <summary>
    /// Event streams one tenant may have open at once on one api instance (<c>stream: true</c>,
    /// and <c>GET /v1/responses/{id}?stream=true</c>); past it a new one gets 429
    /// <c>stream_limit_exceeded</c>. Each open stream holds a connection and, while its response
    /// is quiet, reads the planner's store now and then. 0: no limit.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxStreamsPerTenant { get; set; } = 100;

    /// <summary>
    /// The largest JSON request body; larger ones get 413. At most 12 MiB: a response's input
    /// travels whole in <c>TaskSubmitted</c>, and RabbitMQ 4 refuses messages over 16 MiB.
    /// </summary>
    [Range(1024, 12 * 1024 * 1024)]
    public int MaxJsonBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The largest file <c>POST /v1/containers/{id}/files</c> accepts; larger ones get 413. Below Kestrel's 30 MB request limit.</summary>
    [Range(1, 28 * 1024 * 1024)]
    public int MaxUploadBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>
    /// The largest file <c>POST /v1/files</c> accepts; larger ones get 413 <c>file_too_large</c>.
    /// The bytes stream into the payload store (a directory, or GridFS), never into memory.
    /// OpenAI's limit, 512 MiB, by default.
    /// </summary>
    [Range(1, 8L * 1024 * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// The largest skill bundle (<c>/v1/skills</c>), as uploaded and once unpacked, whatever a zip
    /// declares; larger ones get 400. Below Kestrel's 30 MB request limit.
    /// </summary>
    [Range(1024, 28 * 1024 * 1024)]
    public int MaxSkillBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>
    /// The largest <c>memory_limit</c> a container may ask for (<c>POST /v1/containers</c> and
    /// <c>container_auto</c>); a larger one is 400 rather than quietly made smaller. Set it to the
    /// executors' <c>Executor:MaxMemoryMb</c>, whose default it shares.
    /// </summary>
    [Range(16, 1024 * 1024)]
    public int MaxMemoryMb { get; set; } = 4096;

    /// <summary>
    /// Domains a request's <c>network_policy</c> may allow (<c>pypi.org</c>, <c>*.pythonhosted.org</c>).
    /// Empty, the default: no request gets any network. The executors' egress proxies enforce
    /// what each session asked for; this caps what it may ask.
    /// </summary>
    public List<string> AllowedEgressDomains { get; set; } = [];

    /// <summary><see cref="AllowedEgressDomains"/>, normalized.</summary>
    public IReadOnlyList<string> EgressDomains => [.. AllowedEgressDomains.Select(Berth.ServiceDefaults.EgressDomains.Normalize)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        AllowedEgressDomains.Select(Berth.ServiceDefaults.EgressDomains.Normalize)
            .Select(domain => Berth.ServiceDefaults.EgressDomains.Problem(domain))
            .OfType<string>()
            .Select(problem => new ValidationResult($"Api:AllowedEgressDomains: {problem}", [nameof(AllowedEgressDomains)]));
}
