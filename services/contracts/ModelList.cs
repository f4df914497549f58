namespace Berth.Contracts;

/// <summary>
/// The models a tenant may ask for: the operator's catalog, or without one what the model
/// endpoint lists. <see cref="Unavailable"/> says why there is no list: the endpoint could not be asked.
/// </summary>
public sealed record ModelList(IReadOnlyList<ModelInfo> Models)
{
    public string? Unavailable { get; init; }
}

/// <summary>One model, as OpenAI's <c>model</c> object has it.</summary>
public sealed record ModelInfo(string Id, long Created, string OwnedBy);
