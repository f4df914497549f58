namespace Berth.Contracts;

/// <summary>The <c>status</c> of a container object, as the api shows it and the planner stores it.</summary>
public static class ContainerStatuses
{
    public const string Running = "running";

    /// <summary>Idle past its limit and removed, or lost with its executor: its files are gone.</summary>
    public const string Expired = "expired";

    /// <summary>Removed by its owner (<c>DELETE /v1/containers/{id}</c>).</summary>
    public const string Deleted = "deleted";
}
