using System.Security.Cryptography;
using System.Text;

namespace Berth.Planner.Webhooks;

/// <summary>
/// Standard Webhooks signatures (what OpenAI's <c>webhooks.unwrap()</c> verifies): HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the base64 part of a <c>whsec_</c>
/// secret, sent as <c>v1,{base64}</c>. Written here because it is a dozen lines; no maintained .NET
/// package signs (as opposed to verifies) in this format.
/// </summary>
internal static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool IsValidSecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return false;
        }

        var key = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        Span<byte> buffer = stackalloc byte[key.Length];
        return key.Length > 0 && Convert.TryFromBase64String(key, buffer, out _);
    }

    public static string Sign(string secret, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}."), .. body];
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
