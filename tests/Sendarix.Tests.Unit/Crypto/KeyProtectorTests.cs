using System.Security.Cryptography;
using Sendarix.Core.Crypto;

namespace Sendarix.Tests.Unit;

public sealed class KeyProtectorTests
{
    readonly KeyProtector _protector = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Round_trips_and_never_stores_the_plaintext()
    {
        var secret = "-----BEGIN PRIVATE KEY----- not really"u8.ToArray();
        var stored = _protector.Protect(secret);
        Assert.Equal(secret, _protector.Unprotect(stored));
        Assert.True(stored.AsSpan().IndexOf(secret.AsSpan(0, 16)) < 0);
        Assert.NotEqual(stored, _protector.Protect(secret));
    }

    [Fact]
    public void Detects_tampering_and_the_wrong_key()
    {
        var stored = _protector.Protect([1, 2, 3, 4]);
        var tampered = stored.ToArray();
        tampered[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(tampered));
        Assert.ThrowsAny<CryptographicException>(() => new KeyProtector(RandomNumberGenerator.GetBytes(32)).Unprotect(stored));
        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(stored.AsSpan(0, 10)));
    }

    [Fact]
    public void Needs_a_256_bit_key() => Assert.Throws<ArgumentException>(() => new KeyProtector(new byte[16]));
}
