using System.Text;

namespace Sendarix.Reception.Protocol;

/// <summary>Checks on SASL responses, so that only responses the SMTP library can parse reach it.</summary>
internal static class AuthPayload
{
    /// <summary>A well-formed PLAIN response with an empty username and password: it always fails.</summary>
    public const string FailingPlain = "AAA=";

    public static bool IsBase64(string text) => text.Length > 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _);

    /// <summary>
    /// True for base64 of "authzid NUL authcid NUL password" where the authorisation identity is empty or the
    /// username itself: acting as another identity is not offered, so such a request fails like a wrong password.
    /// </summary>
    public static bool IsValidPlain(string text)
    {
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var length))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes, 0, length).Split('\0');
        return parts.Length == 3 && parts[1].Length > 0 && (parts[0].Length == 0 || parts[0] == parts[1]);
    }
}
