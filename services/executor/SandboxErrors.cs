using Berth.ServiceDefaults;

namespace Berth.Executor;

/// <summary>
/// What a tenant is told when Docker refuses or cannot be reached: Docker's own answer names host
/// paths, images and other containers, so it goes to the executor's log, and the tenant gets the
/// trace id under which to find it.
/// </summary>
internal static class SandboxErrors
{
    private static string InTheLog() => LogPointer.InTheLog("executor");

    /// <summary>A refusal by Docker, or an engine out of reach, as a tenant may see it.</summary>
    public static string Describe(Exception e) => e switch
    {
        Docker.DotNet.DockerApiException docker => $"the Docker engine answered HTTP {(int)docker.StatusCode}. {InTheLog()}",
        HttpRequestException => $"the Docker engine is unreachable. {InTheLog()}",
        _ => e.Message,
    };
}
