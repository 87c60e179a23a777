using System.Text.RegularExpressions;
using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit;

public sealed partial class ReplyRewriterTests
{
    // The reply lines SmtpServer 11.1.0 writes ("{code} {message}"), with the suffix its session adds to errors.
    static readonly string[] LibraryLines =
    [
        "221 bye",
        "221 Timeout while waiting for input.",
        "221 The session has be cancelled.",
        "235 go ahead",
        "250 Ok",
        "500 expected HELO/EHLO, 4 retry(ies) remaining.",
        "501 expected MAIL/RSET/QUIT, 4 retry(ies) remaining.",
        "501 missing the FROM:, 4 retry(ies) remaining.",
        "501 , 4 retry(ies) remaining.",
        "501 syntax error, 0 retry(ies) remaining.",
        "502 Unrecognized command, 4 retry(ies) remaining.",
        "502 Unrecognized command, 0 retry(ies) remaining.",
        "503 bad sequence of commands, 3 retry(ies) remaining.",
        "504 Command parameter not implemented",
        "530 authentication required, 4 retry(ies) remaining.",
        "535 authentication failed",
        "535 authentication failed, 2 attempt(s) remaining.",
        "535 authentication failed, 0 attempt(s) remaining.",
        "550 mailbox unavailable, 4 retry(ies) remaining.",
        "552 size limit exceeded",
        "553 mailbox name not allowed, 4 retry(ies) remaining.",
        "554 ",
        "554 no valid recipients given, 4 retry(ies) remaining.",
        "421 Service not available",
        "451 Local error in processing, 2 retry(ies) remaining.",
        "452 Insufficient storage",
        "454 Client not permitted",
        "510 Bad email address",
        "541 Recipient address rejected",
        "251 User not local",
        "252 Cannot verify user",
        "220 ready when you are",
        "334 ",
        "334 VXNlcm5hbWU6",
        "354 end with <CRLF>.<CRLF>",
        "451 4.3.0 Queue unavailable, try again later",
        "550 5.1.1 No such user, 4 retry(ies) remaining.",
        "250 2.6.0 Queued as t0123456789ab-abc",
    ];

    static readonly string?[] Verbs =
    [
        null, "HELO", "EHLO", "MAIL", "RCPT", "DATA", GuardVerbs.EndOfData, "RSET", "NOOP", "QUIT", "AUTH",
        "STARTTLS", "VRFY", "FOO", GuardVerbs.LineTooLong, GuardVerbs.Proxy, GuardVerbs.AuthWithoutTls,
    ];

    [Theory]
    [InlineData(GuardVerbs.LineTooLong, "502 Unrecognized command, 4 retry(ies) remaining.", "500 5.5.6 Line too long")]
    [InlineData(GuardVerbs.LineTooLong, "500 Unrecognized command", "500 5.5.6 Line too long")]
    [InlineData(GuardVerbs.Proxy, "502 Unrecognized command, 4 retry(ies) remaining.", "502 5.5.1 PROXY is not accepted here")]
    [InlineData(GuardVerbs.AuthWithoutTls, "502 Unrecognized command, 4 retry(ies) remaining.", "538 5.7.11 Encryption required for requested authentication mechanism")]
    [InlineData(GuardVerbs.Drain, "502 Unrecognized command, 4 retry(ies) remaining.", "421 4.3.2 Service shutting down; try again later")]
    [InlineData(GuardVerbs.Drain, "500 Unrecognized command, 0 retry(ies) remaining.", "421 4.3.2 Service shutting down; try again later")]
    [InlineData("STARTTLS", "220 ready when you are", "220 2.0.0 Ready to start TLS")]
    [InlineData(null, "220 mx.example.com ESMTP ready", "220 mx.example.com ESMTP ready")]
    [InlineData("QUIT", "221 Timeout while waiting for input.", "421 4.4.2 Idle timeout; closing connection")]
    [InlineData(null, "221 Timeout while waiting for input.", "421 4.4.2 Idle timeout; closing connection")]
    [InlineData("AUTH", "221 timeout", "421 4.4.2 Idle timeout; closing connection")]
    [InlineData("MAIL", "221 The session has be cancelled.", "421 4.3.2 Service shutting down; closing connection")]
    [InlineData("AUTH", "221 The session has be Cancelled.", "421 4.3.2 Service shutting down; closing connection")]
    [InlineData("AUTH", "221 bye", "421 4.7.0 Too many failed authentication attempts; closing connection")]
    [InlineData("QUIT", "221 bye", "221 2.0.0 Bye")]
    [InlineData(null, "221 bye", "221 2.0.0 Bye")]
    [InlineData("AUTH", "235 go ahead", "235 2.7.0 Authentication successful")]
    [InlineData("MAIL", "250 Ok", "250 2.1.0 Sender OK")]
    [InlineData("RCPT", "250 Ok", "250 2.1.5 Recipient OK")]
    [InlineData("HELO", "250 mx.example.com Hello client", "250 mx.example.com Hello client")]
    [InlineData("EHLO", "250 SIZE 10485760", "250 SIZE 10485760")]
    [InlineData(GuardVerbs.EndOfData, "250 Ok", "250 2.0.0 OK")]
    [InlineData("RSET", "250 Ok", "250 2.0.0 OK")]
    [InlineData("NOOP", "250 Ok", "250 2.0.0 OK")]
    [InlineData(null, "250 Ok", "250 2.0.0 OK")]
    [InlineData("AUTH", "334 ", "334 ")]
    [InlineData("AUTH", "334 VXNlcm5hbWU6", "334 VXNlcm5hbWU6")]
    [InlineData("DATA", "354 end with <CRLF>.<CRLF>", "354 Start mail input; end with <CRLF>.<CRLF>")]
    [InlineData("MAIL", "500 expected HELO/EHLO, 4 retry(ies) remaining.", "503 5.5.1 Bad sequence of commands (expected HELO/EHLO)")]
    [InlineData("MAIL", "501 expected HELO/EHLO, 4 retry(ies) remaining.", "503 5.5.1 Bad sequence of commands (expected HELO/EHLO)")]
    [InlineData("RCPT", "501 expected MAIL/RSET/QUIT, 4 retry(ies) remaining.", "503 5.5.1 Bad sequence of commands (expected MAIL/RSET/QUIT)")]
    [InlineData("DATA", "501 expected RCPT/RSET/QUIT", "503 5.5.1 Bad sequence of commands (expected RCPT/RSET/QUIT)")]
    [InlineData("MAIL", "501 Expected HELO/EHLO", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("FOO", "500 Expected nothing", "500 5.5.2 Syntax error, command unrecognized")]
    [InlineData("FOO", "500 syntax error", "500 5.5.2 Syntax error, command unrecognized")]
    [InlineData("MAIL", "501 missing the FROM:, 4 retry(ies) remaining.", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("MAIL", "501 , 4 retry(ies) remaining.", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("FOO", "502 Unrecognized command, 4 retry(ies) remaining.", "500 5.5.2 Syntax error, command unrecognized")]
    [InlineData(null, "502 Unrecognized command", "500 5.5.2 Syntax error, command unrecognized")]
    [InlineData("MAIL", "502 Unrecognized command, 4 retry(ies) remaining.", "501 5.1.7 Bad sender address syntax")]
    [InlineData("RCPT", "502 Unrecognized command, 4 retry(ies) remaining.", "501 5.1.3 Bad recipient address syntax")]
    [InlineData("RCPT", "503 bad sequence of commands", "503 5.5.1 Bad sequence of commands")]
    [InlineData("AUTH", "504 Unrecognized authentication type", "504 5.5.4 Command parameter not implemented")]
    [InlineData("MAIL", "530 authentication required, 4 retry(ies) remaining.", "530 5.7.0 Authentication required")]
    [InlineData("AUTH", "535 authentication failed", "535 5.7.8 Authentication credentials invalid")]
    [InlineData("AUTH", "535 authentication failed, 2 attempt(s) remaining.", "535 5.7.8 Authentication credentials invalid")]
    [InlineData("RCPT", "550 mailbox unavailable, 4 retry(ies) remaining.", "550 5.7.1 Mailbox unavailable")]
    [InlineData(GuardVerbs.EndOfData, "552 size limit exceeded", "552 5.3.4 Message size exceeds fixed maximum message size")]
    [InlineData("RCPT", "553 mailbox name not allowed", "553 5.1.3 Mailbox name not allowed")]
    [InlineData("DATA", "554 no valid recipients given", "554 5.5.1 No valid recipients")]
    [InlineData("DATA", "554 No Valid Recipients", "554 5.5.1 No valid recipients")]
    [InlineData(GuardVerbs.EndOfData, "554 ", "554 5.3.0 Transaction failed")]
    [InlineData(GuardVerbs.EndOfData, "554 message refused", "554 5.3.0 Transaction failed")]
    [InlineData("RCPT", "451 Try again later", "451 4.0.0 Try again later")]
    [InlineData("RCPT", "450 Unavailable, 3 retry(ies) remaining.", "450 4.0.0 Unavailable")]
    [InlineData("MAIL", "421 Service not available", "421 4.0.0 Service not available")]
    [InlineData("RCPT", "521 No mail here", "521 5.0.0 No mail here")]
    [InlineData("RCPT", "541 Rejected, 2 retry(ies) remaining.", "541 5.0.0 Rejected")]
    [InlineData("VRFY", "252 Cannot verify user", "252 2.0.0 Cannot verify user")]
    [InlineData("RCPT", "251 User not local", "251 2.0.0 User not local")]
    public void Rewrites_each_reply(string? verb, string line, string expected)
    {
        Assert.Equal(expected, ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("RCPT", "550 5.1.1 No such user", "550 5.1.1 No such user")]
    [InlineData(GuardVerbs.EndOfData, "250 2.6.0 Queued as t0123456789ab-abc", "250 2.6.0 Queued as t0123456789ab-abc")]
    [InlineData("RCPT", "451 4.3.0 Temporary failure, 2 retry(ies) remaining.", "451 4.3.0 Temporary failure")]
    [InlineData("RCPT", "452 4.5.3 Too many recipients", "452 4.5.3 Too many recipients")]
    [InlineData("MAIL", "221 2.0.0 Bye", "221 2.0.0 Bye")]
    [InlineData("MAIL", "421 4.3.2", "421 4.3.2")]
    [InlineData("RCPT", "550 5.123.456 Three digit parts", "550 5.123.456 Three digit parts")]
    public void Keeps_a_reply_that_already_carries_an_enhanced_code(string? verb, string line, string expected)
    {
        Assert.Equal(expected, ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("RCPT", "521 5.1 Not an enhanced code", "521 5.0.0 5.1 Not an enhanced code")]
    [InlineData("RCPT", "550 3.1.1 Wrong class", "550 5.7.1 Mailbox unavailable")]
    [InlineData("RCPT", "550 5.1.1234 Too long", "550 5.7.1 Mailbox unavailable")]
    [InlineData("RCPT", "451 4.3.0x Glued", "451 4.0.0 4.3.0x Glued")]
    public void Rewrites_a_reply_whose_text_only_looks_like_an_enhanced_code(string? verb, string line, string expected)
    {
        Assert.Equal(expected, ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("MAIL", "500 expected HELO/EHLO, 0 retry(ies) remaining.")]
    [InlineData("MAIL", "501 missing the FROM:, 0 retry(ies) remaining.")]
    [InlineData("FOO", "502 Unrecognized command, 0 retry(ies) remaining.")]
    [InlineData(GuardVerbs.LineTooLong, "502 Unrecognized command, 0 retry(ies) remaining.")]
    [InlineData("RCPT", "550 5.1.1 No such user, 0 retry(ies) remaining.")]
    [InlineData(null, "501 , 0 retry(ies) remaining.")]
    public void The_last_allowed_error_says_the_connection_closes(string? verb, string line)
    {
        Assert.Equal("421 4.7.0 Too many errors; closing connection", ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("FOO", "502 Unrecognized command, 10 retry(ies) remaining.", "500 5.5.2 Syntax error, command unrecognized")]
    [InlineData("FOO", "502 Unrecognized command, 20 retry(ies) remaining.", "500 5.5.2 Syntax error, command unrecognized")]
    [InlineData("AUTH", "535 authentication failed, 0 attempt(s) remaining.", "535 5.7.8 Authentication credentials invalid")]
    [InlineData("RCPT", "451 Busy, 0 retries remaining.", "451 4.0.0 Busy, 0 retries remaining.")]
    public void Other_counts_are_not_the_last_error(string? verb, string line, string expected)
    {
        Assert.Equal(expected, ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("RCPT", "451 Try later, 3 retry(ies) remaining.", "451 4.0.0 Try later")]
    [InlineData("RCPT", "451 Try later 3 retry(ies) remaining.", "451 4.0.0 Try later")]
    [InlineData("RCPT", "451 Try later, 3 retry(ies) remaining", "451 4.0.0 Try later")]
    [InlineData("RCPT", "451 Try later, 12 attempt(s) remaining.", "451 4.0.0 Try later")]
    [InlineData("RCPT", "451 3 retry(ies) remaining. Try later", "451 4.0.0 3 retry(ies) remaining. Try later")]
    public void Strips_only_a_trailing_remaining_count(string? verb, string line, string expected)
    {
        Assert.Equal(expected, ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("EHLO", "250-mx.example.com Hello client")]
    [InlineData("EHLO", "250-PIPELINING")]
    [InlineData("EHLO", "250-AUTH PLAIN LOGIN")]
    [InlineData("EHLO", "250-SIZE 10485760")]
    [InlineData(null, "250-8BITMIME")]
    [InlineData("RCPT", "550-first line of several")]
    [InlineData("MAIL", "501-expected HELO/EHLO, 0 retry(ies) remaining.")]
    public void Leaves_continuation_lines_alone(string? verb, string line)
    {
        Assert.Equal(line, ReplyRewriter.Rewrite(verb, line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("25")]
    [InlineData("OK")]
    [InlineData("abc def")]
    [InlineData("2x0 Ok")]
    public void Leaves_lines_without_a_reply_code_alone(string line)
    {
        Assert.Equal(line, ReplyRewriter.Rewrite("MAIL", line));
    }

    [Fact]
    public void Every_final_reply_gets_an_enhanced_code_of_its_own_class()
    {
        var violations = new List<string>();
        foreach (var verb in Verbs)
        {
            foreach (var line in LibraryLines)
            {
                var code = line[..3];
                var exempt = code is "334" or "354"
                    || (code == "220" && verb != "STARTTLS")
                    || (code == "250" && verb is "HELO" or "EHLO");
                if (exempt)
                {
                    continue;
                }

                var rewritten = ReplyRewriter.Rewrite(verb, line);
                var match = FinalReply().Match(rewritten);
                // RFC 3463: the class digit of the enhanced code is the class digit of the reply code.
                if (!match.Success || match.Groups["reply"].Value[0] != match.Groups["class"].Value[0])
                {
                    violations.Add($"{verb ?? "(none)"} | {line} => {rewritten}");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Exempt_replies_keep_their_shape()
    {
        Assert.Equal("220 mx.example.com ESMTP", ReplyRewriter.Rewrite(null, "220 mx.example.com ESMTP"));
        Assert.Equal("334 UGFzc3dvcmQ6", ReplyRewriter.Rewrite("AUTH", "334 UGFzc3dvcmQ6"));
        Assert.StartsWith("354 ", ReplyRewriter.Rewrite("DATA", "354 end with <CRLF>.<CRLF>"), StringComparison.Ordinal);
        Assert.Equal("250 mx.example.com", ReplyRewriter.Rewrite("EHLO", "250 mx.example.com"));
    }

    [GeneratedRegex(@"^(?<reply>\d{3}) (?<class>[245])\.\d{1,3}\.\d{1,3} ")]
    private static partial Regex FinalReply();
}
