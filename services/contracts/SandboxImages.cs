namespace Berth.Contracts;

/// <summary>The sandbox images sessions are made from, named as the operator lists them.</summary>
public static class SandboxImages
{
    /// <summary>The image a session gets when it names none: each executor's own <c>Executor:Image</c>.</summary>
    public const string Default = "default";

    /// <summary>The name to route and label by: <see cref="Default"/> for none.</summary>
    public static string NameOrDefault(string? image) => image ?? Default;
}
