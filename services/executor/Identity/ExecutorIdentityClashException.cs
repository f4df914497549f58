namespace Berth.Executor.Identity;

/// <summary>This executor cannot have the id it needs: another live process holds it, or it is not a valid id.</summary>
internal sealed class ExecutorIdentityClashException(string message) : Exception(message);
