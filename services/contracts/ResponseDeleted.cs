namespace Berth.Contracts;

public sealed record ResponseDeleted(string ResponseId);
