namespace Berth.Contracts;

/// <summary>Why a response failed, in OpenAI's terms: a machine-readable code and a sentence.</summary>
public sealed record ResponseError(string Code, string Message);
