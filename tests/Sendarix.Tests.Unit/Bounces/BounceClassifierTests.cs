using Sendarix.Core.Bounces;
using Sendarix.Core.Providers;
using Sendarix.Core.Replies;

namespace Sendarix.Tests.Unit.Bounces;

public sealed class BounceClassifierTests
{
    public static TheoryData<string, int, string, string, string> Corpus()
    {
        var data = new TheoryData<string, int, string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Bounces", "bounce-corpus.txt")))
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }

            var f = line.Split(" | ");
            data.Add(f[0], int.Parse(f[1]), f[2], f[3], f[4]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Real_replies_get_the_right_category_and_action(string provider, int code, string text, string category, string action)
    {
        var result = BounceClassifier.Classify(new SmtpReply(code, text), provider);
        Assert.True((category, action) == (result.CategoryName, result.Action.ToString()),
            $"expected {category}/{action}, got {result.CategoryName}/{result.Action} by rule {result.Rule}");
    }

    [Fact]
    public void The_corpus_covers_every_category_and_action()
    {
        var seen = Corpus().Select(row => ((string)row[3], (string)row[4])).ToList();
        Assert.True(seen.Count >= 80, $"only {seen.Count} replies");
        Assert.All(Enum.GetValues<BounceCategory>(), c => Assert.Contains(BounceClassification.Name(c), seen.Select(s => s.Item1)));
        Assert.All(Enum.GetValues<BounceAction>(), a => Assert.Contains(a.ToString(), seen.Select(s => s.Item2)));
    }

    [Theory]
    [InlineData("4.7.1 Greylisted, please try again in 180 seconds", 180)]
    [InlineData("4.7.1 Greylisted for 5 minutes", 300)]
    [InlineData("4.7.1 Greylisted, try again in 5 seconds", 30)]
    [InlineData("4.7.1 Greylisted, retry after 60 minutes", 600)]
    public void Greylisting_waits_for_the_window_it_names_within_bounds(string text, int seconds)
    {
        var result = BounceClassifier.Classify(new SmtpReply(451, text));
        Assert.Equal(BounceCategory.Greylisted, result.Category);
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.RetryAfter);
    }

    [Fact]
    public void Greylisting_without_a_window_names_none_and_permanent_replies_never_wait()
    {
        Assert.Null(BounceClassifier.Classify(new SmtpReply(450, "4.2.0 Greylisted, see http://postgrey.example/")).RetryAfter);
        Assert.Null(BounceClassifier.Classify(new SmtpReply(550, "5.7.1 blocked, try again in 10 minutes")).RetryAfter);
        Assert.Equal(TimeSpan.FromMinutes(10), BounceClassifier.Classify(new SmtpReply(451, "4.7.1 rate limited; try again in 10 minutes")).RetryAfter);
    }

    [Fact]
    public void Provider_rules_apply_only_to_their_provider()
    {
        const string text = "5.5.0 Requested action not taken: mailbox unavailable (S2017062302)";
        Assert.Equal("microsoft.mailbox_unavailable", BounceClassifier.Classify(new SmtpReply(550, text), Provider.Microsoft).Rule);
        Assert.NotEqual("microsoft.mailbox_unavailable", BounceClassifier.Classify(new SmtpReply(550, text), Provider.Default).Rule);
    }

    [Theory]
    [InlineData(new[] { "gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com" }, "gmail")]
    [InlineData(new[] { "aspmx.l.google.com." }, "gmail")]
    [InlineData(new[] { "shop-example.mail.protection.outlook.com" }, "microsoft")]
    [InlineData(new[] { "hotmail-com.olc.protection.outlook.com" }, "microsoft")]
    [InlineData(new[] { "mta5.am0.yahoodns.net" }, "yahoo")]
    [InlineData(new[] { "mx01.mail.icloud.com" }, "icloud")]
    [InlineData(new[] { "mx.example.com", "mx2.google.com.evil.example" }, "default")]
    public void Providers_are_recognised_by_their_mx_hosts(string[] hosts, string provider) =>
        Assert.Equal(provider, Provider.FromMxHosts(hosts));
}
