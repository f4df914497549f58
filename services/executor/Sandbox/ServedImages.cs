using System.Collections.Concurrent;
using Berth.Contracts;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// The sandbox images this executor serves, by the operator's names for them: always the
/// default (<c>Executor:Image</c>), and each listed image that <see cref="ImageCheck"/> passed.
/// </summary>
internal sealed class ServedImages(IOptions<ExecutorOptions> options)
{
    private readonly ConcurrentDictionary<string, (string Reference, int Warm, bool WithoutBash)> _listed = new(StringComparer.Ordinal);

    /// <summary>The default first, then the listed images served, by name.</summary>
    public IReadOnlyList<string> Names => [SandboxImages.Default, .. _listed.Keys.Order(StringComparer.Ordinal)];

    /// <param name="warm">Warm containers to keep of it, at the default memory limit.</param>
    /// <param name="withoutBash">It has no bash: its containers run a <c>docker exec</c> per command, not the persistent shell.</param>
    public void Serve(string name, string reference, int warm, bool withoutBash = false) => _listed[name] = (reference, warm, withoutBash);

    /// <summary>Some image served has no bash, so the runner must tell containers apart.</summary>
    public bool AnyWithoutBash => _listed.Values.Any(listed => listed.WithoutBash);

    /// <summary>Whether the image of that name has no bash; the default always has.</summary>
    public bool WithoutBash(string? name) => name is not null && _listed.TryGetValue(name, out var listed) && listed.WithoutBash;

    /// <summary>How many warm containers to keep of each listed image served, at the default memory limit.</summary>
    public IEnumerable<(string Name, int Warm)> WarmTargets => _listed.Select(pair => (pair.Key, pair.Value.Warm));

    /// <summary>The image as the engine knows it; null for a name this executor does not serve.</summary>
    public string? ReferenceOf(string? name) =>
        SandboxImages.NameOrDefault(name) == SandboxImages.Default ? options.Value.Image
        : _listed.TryGetValue(name!, out var listed) ? listed.Reference : null;
}

/// <summary>A session asked this executor for an image it does not serve: a call that reached it by its own queue, not its image's pool.</summary>
internal sealed class ImageNotServedException(string executorId, string image)
    : Exception($"Executor {executorId} does not serve the image '{image}'.");
