namespace Sendarix.Core.Subtenants;

/// <summary>
/// How a message names the sub-tenant (a platform tenant's own customer) it belongs to, and what a sub-tenant id may
/// be. Three things can name it: the credential, when it was issued for one sub-tenant; the login's subaddress
/// (<c>username+customer42</c> with the tenant's password); and the <see cref="HeaderField"/> header. They must agree:
/// a message that names two sub-tenants is refused rather than counted against either.
/// </summary>
public static class SubtenantRules
{
    /// <summary>The header a client names the sub-tenant with; removed before the message is stored.</summary>
    public const string HeaderField = "X-Sendarix-Subtenant";

    public const int MaxIdLength = 64;

    /// <summary>How many sub-tenants a tenant may have unless the operator sets its own limit.</summary>
    public const int DefaultMaxPerTenant = 1000;

    /// <summary>The most an operator may allow one tenant (the directory of ids is one grain's state).</summary>
    public const int MaxPerTenant = 10_000;

    /// <summary>
    /// A sub-tenant id: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, compared without
    /// case and kept in lower case (so "Customer42" and "customer42" are one sub-tenant).
    /// </summary>
    public static bool TryNormalize(string? value, out string id, out string? problem)
    {
        id = "";
        var text = value?.Trim() ?? "";
        problem = text.Length switch
        {
            0 => "is empty",
            > MaxIdLength => $"is longer than {MaxIdLength} characters",
            _ when !char.IsAsciiLetterOrDigit(text[0]) => "must start with a letter or digit",
            _ when text.AsSpan().IndexOfAnyExcept(IdChars) >= 0 => "may hold only letters, digits, '.', '_' and '-'",
            _ => null,
        };
        if (problem is not null)
        {
            return false;
        }

        id = text.ToLowerInvariant();
        return true;
    }

    /// <summary>Whether a header field of this name names the sub-tenant (and is removed before the message is stored).</summary>
    public static bool IsHeaderField(ReadOnlySpan<byte> name) => System.Text.Ascii.EqualsIgnoreCase(name, HeaderField);

    /// <inheritdoc cref="IsHeaderField(ReadOnlySpan{byte})"/>
    public static bool IsHeaderField(ReadOnlySpan<char> name) => name.Equals(HeaderField, StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits a login name at its last '+': the username, and the subaddress (null when there is none).</summary>
    public static (string Username, string? Subaddress) SplitLogin(string login)
    {
        var plus = login.LastIndexOf('+');
        return plus < 0 ? (login, null) : (login[..plus], login[(plus + 1)..]);
    }

    /// <summary>
    /// The sub-tenant a message belongs to, from the credential's own (already an id), the login's subaddress and the
    /// header's values (as given); null when nothing names one. A refusal (for a 550 reply, its text from "5.7.1") names
    /// the problem, and repeats an id only once it is known to be well-formed.
    /// </summary>
    public static SubtenantChoice Choose(string? credential, string? subaddress, IReadOnlyList<string> headerValues)
    {
        var chosen = credential;
        string? by = credential is null ? null : "the credential";
        if (subaddress is not null)
        {
            if (Conflict(ref chosen, ref by, subaddress, "the login's subaddress") is { } refusal)
            {
                return SubtenantChoice.Refused(refusal);
            }
        }

        foreach (var value in headerValues)
        {
            if (Conflict(ref chosen, ref by, value, HeaderField) is { } refusal)
            {
                return SubtenantChoice.Refused(refusal);
            }
        }

        return new SubtenantChoice(chosen, null);
    }

    static string? Conflict(ref string? chosen, ref string? by, string value, string source)
    {
        if (!TryNormalize(value, out var id, out var problem))
        {
            return $"5.7.1 The sub-tenant id in {source} {problem}";
        }

        if (chosen is not null && chosen != id)
        {
            return $"5.7.1 {Capitalize(source)} names sub-tenant {id}, but {by} names {chosen}";
        }

        (chosen, by) = (id, by ?? source);
        return null;
    }

    static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    static readonly System.Buffers.SearchValues<char> IdChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
}

/// <summary>The sub-tenant a message belongs to (null: the tenant itself), or why the message is refused.</summary>
public readonly record struct SubtenantChoice(string? Subtenant, string? Refusal)
{
    public static SubtenantChoice Refused(string refusal) => new(null, refusal);
}
