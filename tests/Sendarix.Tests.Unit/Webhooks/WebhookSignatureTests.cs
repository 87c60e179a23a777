using System.Text;
using Microsoft.AspNetCore.Http;
using Sendarix.Core.Webhooks;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Sendarix.Tests.Unit;

/// <summary>Signatures checked by the StandardWebhooks package, an implementation of the spec that is not ours.</summary>
public sealed class WebhookSignatureTests
{
    const string Body = """{"type":"delivered","data":{"to":"ünï@example.com"}}""";

    [Fact]
    public void A_signature_is_accepted_by_an_independent_verifier()
    {
        var secret = WebhookSecret.Format(WebhookSecret.NewKey());
        var now = DateTimeOffset.UtcNow;
        var signature = WebhookSignature.Sign("msg_2abc", now, Encoding.UTF8.GetBytes(Body), [secret]);

        new StandardWebhook(secret).Verify(Body, Headers("msg_2abc", now, signature));
        Assert.Equal(new StandardWebhook(secret).Sign("msg_2abc", now, Body), signature);
    }

    [Fact]
    public void Matches_the_specs_published_example()
    {
        var signature = WebhookSignature.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265330),
            """{"test": 2432232314}"""u8, ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void A_changed_body_id_or_timestamp_or_another_secret_fails_verification()
    {
        var secret = WebhookSecret.Format(WebhookSecret.NewKey());
        var now = DateTimeOffset.UtcNow;
        var signature = WebhookSignature.Sign("msg_1", now, Encoding.UTF8.GetBytes(Body), [secret]);
        var verifier = new StandardWebhook(secret);

        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(Body + " ", Headers("msg_1", now, signature)));
        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(Body, Headers("msg_2", now, signature)));
        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(Body, Headers("msg_1", now.AddSeconds(1), signature)));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(WebhookSecret.Format(WebhookSecret.NewKey())).Verify(Body, Headers("msg_1", now, signature)));
    }

    [Fact]
    public void During_a_rotation_the_header_carries_a_signature_for_each_secret()
    {
        string[] secrets = [WebhookSecret.Format(WebhookSecret.NewKey()), WebhookSecret.Format(WebhookSecret.NewKey())];
        var now = DateTimeOffset.UtcNow;
        var header = WebhookSignature.Sign("msg_rot", now, Encoding.UTF8.GetBytes(Body), secrets);

        var parts = header.Split(' ');
        Assert.Equal(2, parts.Length);
        Assert.All(parts, p => Assert.StartsWith("v1,", p));
        new StandardWebhook(secrets[0]).Verify(Body, Headers("msg_rot", now, header));

        // The package checks every signature of the header but the last, so each is also shown to it alone.
        for (var i = 0; i < secrets.Length; i++)
        {
            new StandardWebhook(secrets[i]).Verify(Body, Headers("msg_rot", now, parts[i]));
        }
    }

    [Fact]
    public void Signs_the_body_bytes_as_sent()
    {
        var secret = WebhookSecret.Format(WebhookSecret.NewKey());
        var now = DateTimeOffset.UtcNow;
        var body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(Body, 100)) + "]");
        new StandardWebhook(secret).Verify(Encoding.UTF8.GetString(body), Headers("msg_batch", now, WebhookSignature.Sign("msg_batch", now, body, [secret])));
    }

    [Fact]
    public void Refuses_to_sign_without_a_well_formed_secret()
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign("msg_1", DateTimeOffset.UtcNow, "{}"u8, []));
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign("msg_1", DateTimeOffset.UtcNow, "{}"u8, ["not-a-secret"]));
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign("", DateTimeOffset.UtcNow, "{}"u8, [WebhookSecret.Format(WebhookSecret.NewKey())]));
    }

    [Fact]
    public void Secrets_have_the_standard_form_and_decode_to_their_key()
    {
        var key = WebhookSecret.NewKey();
        var secret = WebhookSecret.Format(key);
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, key.Length);
        Assert.True(WebhookSecret.TryDecode(secret, out var decoded));
        Assert.Equal(key, decoded);
        Assert.NotEqual(secret, WebhookSecret.Format(WebhookSecret.NewKey()));

        Assert.False(WebhookSecret.TryDecode(null, out _));
        Assert.False(WebhookSecret.TryDecode(Convert.ToBase64String(key), out _));
        Assert.False(WebhookSecret.TryDecode("whsec_" + Convert.ToBase64String(new byte[16]), out _));
        Assert.False(WebhookSecret.TryDecode("whsec_" + Convert.ToBase64String(new byte[65]), out _));
        Assert.False(WebhookSecret.TryDecode("whsec_not base64!", out _));
        Assert.True(WebhookSecret.TryDecode("whsec_" + Convert.ToBase64String(new byte[24]), out _));
    }

    static HeaderDictionary Headers(string id, DateTimeOffset timestamp, string signature) => new()
    {
        [WebhookSignature.IdHeader] = id,
        [WebhookSignature.TimestampHeader] = WebhookSignature.Timestamp(timestamp),
        [WebhookSignature.SignatureHeader] = signature,
    };
}
