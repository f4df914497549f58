namespace Berth.Contracts;

/// <summary>Request for the containers, newest first. Answered with <see cref="ContainerList"/>.</summary>
public sealed record ListContainers(int Limit);
