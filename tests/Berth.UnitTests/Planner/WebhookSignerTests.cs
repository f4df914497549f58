using System.Text;
using Berth.Planner.Webhooks;

namespace Berth.UnitTests.Planner;

public sealed class WebhookSignerTests
{
    [Fact]
    public void Should_reproduce_the_standard_webhooks_reference_signature()
    {
        var signature = WebhookSigner.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
            Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Should_make_secrets_of_32_random_bytes_in_the_whsec_format()
    {
        var first = WebhookSigner.NewSecret();
        var second = WebhookSigner.NewSecret();

        Assert.StartsWith("whsec_", first, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(first["whsec_".Length..]).Length);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true)]
    [InlineData("whsec_not base64!", false)]
    [InlineData("whsec_", false)]
    [InlineData("", false)]
    public void Should_tell_a_usable_secret_from_one_that_cannot_sign(string secret, bool valid) =>
        Assert.Equal(valid, WebhookSigner.IsValidSecret(secret));
}
