using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using DkimSigner = Sendarix.Core.Signing.DkimSigner;
using DkimKey = Sendarix.Core.Signing.DkimKey;
using Org.BouncyCastle.Crypto;
using Sendarix.Core.Signing;

namespace Sendarix.Tests.Unit.Signing;

public sealed class DkimSignerTests
{
    static readonly string[] Headers = ["From", "Subject", "Date", "To", "Message-ID", "Reply-To"];

    [Fact]
    public void Relaxed_header_canonicalization_follows_the_rfc_example()
    {
        // RFC 6376 3.4.5.
        Assert.Equal("a:X\r\n", DkimCanonicalization.RelaxedHeader("A: X"));
        Assert.Equal("b:Y Z\r\n", DkimCanonicalization.RelaxedHeader("B : Y\t\r\n\tZ  "));
    }

    [Theory]
    [InlineData(" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n")] // RFC 6376 3.4.5
    [InlineData("", "")]
    [InlineData("\r\n\r\n", "")]
    [InlineData("a  \t\r\n \t\r\n", "a\r\n")]
    [InlineData("no final line break", "no final line break\r\n")]
    [InlineData("x\r\n\r\ny\r\n", "x\r\n\r\ny\r\n")]
    public void Relaxed_body_hash_is_the_hash_of_the_relaxed_body(string body, string relaxed) =>
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(relaxed)), DkimCanonicalization.RelaxedBodyHash(Encoding.ASCII.GetBytes(body)));

    [Fact]
    public void A_signed_message_verifies_with_mimekit_and_keeps_its_bytes()
    {
        using var rsa = RSA.Create(2048);
        var original = Encoding.ASCII.GetBytes(
            "Received: from client ([127.0.0.1])\r\n\tby relay.test; Fri, 27 Nov 2026 10:00:00 +0000\r\n" +
            "From: \"Sender\"  <news@shop.example>\r\nTo: a@x.example,\r\n    b@y.example\r\nSubject:   Folded\r\n subject\t line\r\n" +
            "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@shop.example>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain\r\n\r\nHello  there \r\n\r\nsecond paragraph\t\r\n\r\n\r\n");

        var signed = DkimSigner.Sign(original, [Key(rsa)], Headers, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

        Assert.Equal(original, signed[^original.Length..]);
        var text = Encoding.ASCII.GetString(signed);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example; s=s1;", text);
        Assert.Contains("h=from:subject:date:to:message-id;", text);
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 998));
        Assert.True(Verify(signed, rsa));

        var tampered = Encoding.ASCII.GetBytes(text.Replace("second paragraph", "other paragraph"));
        Assert.False(Verify(tampered, rsa));
    }

    [Fact]
    public void The_last_instance_of_a_repeated_header_is_signed()
    {
        using var rsa = RSA.Create(2048);
        var original = Encoding.ASCII.GetBytes("From: a@shop.example\r\nSubject: first\r\nSubject: second\r\n\r\nbody\r\n");
        var signed = DkimSigner.Sign(original, [Key(rsa)], Headers, DateTimeOffset.UnixEpoch);
        Assert.True(Verify(signed, rsa));
    }

    [Fact]
    public void A_message_without_from_is_refused() =>
        Assert.Throws<ArgumentException>(() => DkimSigner.Sign("Subject: x\r\n\r\nbody\r\n"u8, [Key(RSA.Create(2048))], Headers, DateTimeOffset.UnixEpoch));

    static DkimKey Key(RSA rsa) => new("shop.example", "s1", "rsa-sha256", data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    static bool Verify(byte[] signed, RSA rsa)
    {
        var message = MimeMessage.Load(new MemoryStream(signed));
        var verifier = new DkimVerifier(new Locator($"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}"));
        return verifier.Verify(message, message.Headers.First(h => h.Id == HeaderId.DkimSignature));
    }

    sealed class Locator(string record) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey(record);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(GetPublicKey(record));
    }
}
