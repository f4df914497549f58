using System.Security.Cryptography;
using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

/// <summary>The seal on a compaction's summary: it opens with the key and tenant that sealed it, and for nothing else.</summary>
public sealed class CompactionSealTests
{
    private static CompactionSeal Seal(string? key) =>
        new(Options.Create(new PlannerOptions { CompactionKey = key }), NullLogger<CompactionSeal>.Instance);

    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Should_open_a_summary_only_for_the_tenant_and_key_that_sealed_it()
    {
        var sealedText = Seal(Key).Seal("acme", "ran 3 command(s)");

        Assert.DoesNotContain("ran 3", sealedText, StringComparison.Ordinal);
        Assert.Equal("ran 3 command(s)", Seal(Key).Open(sealedText, "acme"));
        Assert.Null(Seal(Key).Open(sealedText, "globex"));
        Assert.Null(Seal(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Open(sealedText, "acme"));
        Assert.Null(Seal(null).Open(sealedText, "acme"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("berth-compaction-1.")]
    [InlineData("berth-compaction-1.AAAA")]
    [InlineData("berth-compaction-1.not base64!!")]
    [InlineData("something else entirely")]
    public void Should_refuse_what_it_did_not_seal(string text) => Assert.Null(Seal(Key).Open(text, "acme"));

    [Fact]
    public void Should_refuse_a_sealed_summary_with_one_byte_changed()
    {
        var sealedText = Seal(Key).Seal("acme", "the task is done");
        var bytes = Convert.FromBase64String(sealedText["berth-compaction-1.".Length..]);
        bytes[^1] ^= 1;

        Assert.Null(Seal(Key).Open("berth-compaction-1." + Convert.ToBase64String(bytes), "acme"));
    }

    [Fact]
    public void Should_open_each_compaction_item_a_client_sends_and_name_the_first_it_cannot()
    {
        var seal = Seal(Key);
        InputMessage Item(string content) => new(InputMessage.OutputItem, "") { Id = "cmp_1", Item = new ResponseItem { Id = "cmp_1", Type = ResponseItem.Compaction, EncryptedContent = content } };

        var (opened, refusal) = seal.OpenItems([new InputMessage("user", "hi"), Item(seal.Seal("acme", "summary"))], "acme");
        var (_, refused) = seal.OpenItems([new InputMessage("user", "hi"), Item(seal.Seal("acme", "summary"))], "globex");

        Assert.Null(refusal);
        Assert.Equal("summary", opened[1].Item!.Text);
        Assert.Contains("index 1", refused, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_to_start_with_a_key_that_is_not_32_bytes_of_base64()
    {
        var problems = new PlannerOptions { CompactionKey = "c2hvcnQ=" }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object()));

        Assert.Contains(problems, p => p.ErrorMessage!.Contains("Planner:CompactionKey", StringComparison.Ordinal));
        Assert.Empty(new PlannerOptions { CompactionKey = Key }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
    }
}
