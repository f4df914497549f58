using System.Security.Cryptography;
using System.Text;
using Berth.Contracts;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Model;

/// <summary>
/// Seals a compaction's summary into the <c>encrypted_content</c> a client sees and may pass
/// back, and opens it again: AES-256-GCM with <c>Planner:CompactionKey</c>, the tenant bound in
/// as associated data, so the summary is neither readable nor changeable by the client, and an
/// item of one tenant opens for no other. Written here because no library does this small thing
/// in Berth's shape; the cipher is the framework's.
/// </summary>
internal sealed partial class CompactionSeal
{
    private const string Prefix = "berth-compaction-1.";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>A sealed summary longer than this is no item Berth made.</summary>
    public const int MaxSealedLength = 1024 * 1024;

    private readonly byte[] _key;

    public CompactionSeal(IOptions<PlannerOptions> options, ILogger<CompactionSeal> logger)
    {
        if (options.Value.CompactionKey is { } key)
        {
            _key = Convert.FromBase64String(key);
            return;
        }

        _key = RandomNumberGenerator.GetBytes(32);
        LogOwnKey(logger);
    }

    public string Seal(string tenant, string summary)
    {
        var plain = Encoding.UTF8.GetBytes(summary);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), Encoding.UTF8.GetBytes(tenant));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The summary; null for anything this key did not seal for this tenant.</summary>
    public string? Open(string sealedText, string tenant)
    {
        if (sealedText.Length > MaxSealedLength || !sealedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var bytes = new byte[(sealedText.Length - Prefix.Length) / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(sealedText[Prefix.Length..], bytes, out var length) || length < NonceBytes + TagBytes)
        {
            return null;
        }

        var cipher = bytes.AsSpan(NonceBytes, length - NonceBytes - TagBytes);
        var plain = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(bytes.AsSpan(0, NonceBytes), cipher, bytes.AsSpan(length - TagBytes, TagBytes), plain, Encoding.UTF8.GetBytes(tenant));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// The items with each <c>compaction</c> item a client sent opened to its summary; or the
    /// first that this planner's key did not seal for this tenant.
    /// </summary>
    public (IReadOnlyList<InputMessage> Items, string? Refusal) OpenItems(IReadOnlyList<InputMessage> items, string? tenant)
    {
        if (!items.Any(i => i.Item is { Type: ResponseItem.Compaction }))
        {
            return (items, null);
        }

        var opened = new List<InputMessage>(items.Count);
        foreach (var (input, index) in items.Select((input, index) => (input, index)))
        {
            if (input.Item is not { Type: ResponseItem.Compaction } compaction)
            {
                opened.Add(input);
                continue;
            }

            if (Open(compaction.EncryptedContent ?? "", Tenants.Tenancy.Of(tenant)) is not { } summary)
            {
                return (items, $"The compaction item at index {index} was not made by this deployment for this API key's tenant (or Planner__CompactionKey has changed since), so it cannot be read.");
            }

            opened.Add(input with { Item = compaction with { Text = summary } });
        }

        return (opened, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planner:CompactionKey is not set: this planner seals compaction items with a key of its own, so one passed back after a restart, or to another planner, is refused. Give every planner the same key.")]
    private static partial void LogOwnKey(ILogger logger);
}
