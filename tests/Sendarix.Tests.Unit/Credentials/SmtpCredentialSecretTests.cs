using System.Text.RegularExpressions;
using Sendarix.Core.Credentials;

namespace Sendarix.Tests.Unit;

public sealed partial class SmtpCredentialSecretTests
{
    [Fact]
    public void A_secret_is_43_url_safe_characters_carrying_256_bits()
    {
        var secret = SmtpCredentialSecret.NewSecret();

        Assert.Equal(43, secret.Length);
        Assert.Matches(UrlSafeBase64(), secret);
        var bytes = Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=");
        Assert.Equal(32, bytes.Length);
    }

    [Fact]
    public void Secrets_are_distinct_and_use_the_whole_alphabet()
    {
        var secrets = Enumerable.Range(0, 500).Select(_ => SmtpCredentialSecret.NewSecret()).ToList();

        Assert.Equal(secrets.Count, secrets.Distinct(StringComparer.Ordinal).Count());
        Assert.All(secrets, s => Assert.Equal(43, s.Length));
        // Never a leading '-' that a command line would take for an option (without the rule, about 8 of these 500 would have one).
        Assert.All(secrets, s => Assert.True(char.IsAsciiLetterOrDigit(s[0]), s));
        // 500 × 43 characters from a 64-character alphabet: every character appears (the chance one is missing is
        // about 64 × e^-336). A constant, short or biased generator fails this.
        Assert.Equal(64, secrets.SelectMany(s => s).Distinct().Count());
    }

    [Fact]
    public void A_username_is_sx_and_16_lower_case_crockford_characters()
    {
        var username = SmtpCredentialSecret.NewUsername();

        Assert.Matches(Username(), username);
    }

    [Fact]
    public void Usernames_are_distinct()
    {
        var usernames = Enumerable.Range(0, 500).Select(_ => SmtpCredentialSecret.NewUsername()).ToList();

        Assert.Equal(usernames.Count, usernames.Distinct(StringComparer.Ordinal).Count());
        Assert.All(usernames, u => Assert.Matches(Username(), u));
    }

    [Fact]
    public void The_hash_is_lower_case_hex_sha256_of_the_utf8_secret()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SmtpCredentialSecret.Hash("abc"));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", SmtpCredentialSecret.Hash(""));
    }

    [Fact]
    public void Verify_accepts_the_secret_that_was_hashed()
    {
        var secret = SmtpCredentialSecret.NewSecret();

        Assert.True(SmtpCredentialSecret.Verify(secret, SmtpCredentialSecret.Hash(secret)));
    }

    [Fact]
    public void Verify_refuses_any_other_secret()
    {
        var secret = SmtpCredentialSecret.NewSecret();
        var stored = SmtpCredentialSecret.Hash(secret);

        Assert.False(SmtpCredentialSecret.Verify(SmtpCredentialSecret.NewSecret(), stored));
        Assert.False(SmtpCredentialSecret.Verify(secret[..^1], stored));
        Assert.False(SmtpCredentialSecret.Verify(secret + "x", stored));
        Assert.False(SmtpCredentialSecret.Verify(secret.ToUpperInvariant() == secret ? secret.ToLowerInvariant() : secret.ToUpperInvariant(), stored));
        Assert.False(SmtpCredentialSecret.Verify("", stored));
    }

    [Fact]
    public void Verify_refuses_a_malformed_stored_hash()
    {
        var secret = SmtpCredentialSecret.NewSecret();
        var stored = SmtpCredentialSecret.Hash(secret);

        Assert.False(SmtpCredentialSecret.Verify(secret, ""));
        Assert.False(SmtpCredentialSecret.Verify(secret, stored[..^2]));
        Assert.False(SmtpCredentialSecret.Verify(secret, secret));
    }

    [Fact]
    public void Generated_usernames_and_secrets_are_well_formed()
    {
        for (var i = 0; i < 200; i++)
        {
            Assert.True(SmtpCredentialSecret.IsWellFormedUsername(SmtpCredentialSecret.NewUsername()));
            Assert.True(SmtpCredentialSecret.IsWellFormedSecret(SmtpCredentialSecret.NewSecret()));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sx")]
    [InlineData("sx0123456789abcde")]
    [InlineData("sx0123456789abcdefg")]
    [InlineData("SX0123456789abcdef")]
    [InlineData("sx0123456789ABCDEF")]
    [InlineData("sx0123456789abcdei")]
    [InlineData("sx0123456789abcdel")]
    [InlineData("sx0123456789abcdeo")]
    [InlineData("sx0123456789abcdeu")]
    [InlineData("xs0123456789abcdef")]
    [InlineData("sx0123456789abcd_f")]
    [InlineData("sx0123456789abcd/f")]
    [InlineData("sx0123456789abcd\u00fcf")]
    [InlineData("sx0123456789abcd\u0000f")]
    [InlineData("postmaster")]
    public void A_username_of_another_form_is_not_well_formed(string? escaped) =>
        Assert.False(SmtpCredentialSecret.IsWellFormedUsername(escaped is null ? null : Regex.Unescape(escaped)));

    [Fact]
    public void An_over_long_username_is_not_well_formed() =>
        Assert.False(SmtpCredentialSecret.IsWellFormedUsername("sx" + new string('a', 10_000)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEF")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDE+/")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEF=")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCD EF")]
    public void A_secret_of_another_form_is_not_well_formed(string? secret) =>
        Assert.False(SmtpCredentialSecret.IsWellFormedSecret(secret));

    [Fact]
    public void A_secret_of_43_url_safe_characters_is_well_formed_even_with_a_leading_dash()
    {
        // Secrets issued before the leading-dash rule may begin with '-': they still work.
        Assert.True(SmtpCredentialSecret.IsWellFormedSecret("-123456789abcdefghijklmnopqrstuvwxyzABCDE_F"));
        Assert.False(SmtpCredentialSecret.IsWellFormedSecret(new string('a', 10_000)));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex UrlSafeBase64();

    [GeneratedRegex("^sx[0-9abcdefghjkmnpqrstvwxyz]{16}$")]
    private static partial Regex Username();
}
