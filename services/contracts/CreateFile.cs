namespace Berth.Contracts;

/// <summary>Keep a file whose bytes the api has put in the payload store. Answered with the same <see cref="FileSnapshot"/>.</summary>
public sealed record CreateFile(FileSnapshot File);
