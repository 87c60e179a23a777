using System.Security.Cryptography;

namespace Sendarix.Core.Crypto;

/// <summary>
/// Encrypts secrets at rest (DKIM private keys) under a key-encryption key with AES-256-GCM: the stored form is
/// nonce, tag and ciphertext, and any change to it is detected on decryption.
/// </summary>
public sealed class KeyProtector
{
    const int NonceSize = 12;
    const int TagSize = 16;

    readonly byte[] _key;

    public KeyProtector(byte[] keyEncryptionKey)
    {
        if (keyEncryptionKey.Length != 32)
        {
            throw new ArgumentException("The key-encryption key must be 32 bytes (256 bits).", nameof(keyEncryptionKey));
        }

        _key = keyEncryptionKey;
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return output;
    }

    /// <summary>The plaintext; throws <see cref="CryptographicException"/> when the data was altered or the key is wrong.</summary>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedData)
    {
        if (protectedData.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Protected data is too short.");
        }

        var plaintext = new byte[protectedData.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedData[..NonceSize], protectedData[(NonceSize + TagSize)..], protectedData.Slice(NonceSize, TagSize), plaintext);
        return plaintext;
    }
}
