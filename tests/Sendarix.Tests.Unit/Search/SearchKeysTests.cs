using System.Collections.ObjectModel;
using Sendarix.Core.Events;
using Sendarix.Core.Search;

namespace Sendarix.Tests.Unit.Search;

public sealed class SearchKeysTests
{
    [Theory]
    [InlineData(SearchField.Recipient, " Ann@Example.COM ", "ann@example.com")]
    [InlineData(SearchField.MessageId, "<Abc.123@Client.Test>", "Abc.123@Client.Test")]
    [InlineData(SearchField.Tag, "Billing", "billing")]
    [InlineData(SearchField.Metadata, "OrderId = A-17", "orderid= A-17")]
    public void Values_are_searched_in_one_form(SearchField field, string value, string normalized) =>
        Assert.Equal(normalized, SearchKeys.Normalize(field, value));

    [Fact]
    public void Senders_and_domains_are_compared_in_one_form()
    {
        Assert.Equal("app@sender.test", SearchKeys.Address(" App@Sender.Test"));
        Assert.Equal("xn--bcher-kva.example", SearchKeys.Domain("Bücher.Example"));
    }

    [Theory]
    [InlineData("a/b\\c#d?e|f%g", "a%2Fb%5Cc%23d%3Fe%7Cf%25g")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("grün", "grün")]
    public void Keys_hold_no_character_a_table_key_refuses_and_no_separator(string value, string key) =>
        Assert.Equal(key, SearchKeys.Encode(value));

    [Fact]
    public void A_long_value_keeps_its_start_and_a_hash_of_the_whole()
    {
        var a = SearchKeys.Encode(new string('x', 500) + "a");
        var b = SearchKeys.Encode(new string('x', 500) + "b");
        Assert.NotEqual(a, b);
        Assert.True(a.Length <= 240, a);
        Assert.StartsWith(new string('x', 100), a);
        Assert.Equal(a, SearchKeys.Encode(new string('x', 500) + "a"));
        Assert.True(SearchKeys.Encode(new string('%', 300)).Length <= 240);
    }

    [Fact]
    public void A_message_is_indexed_once_by_each_value()
    {
        var message = new EventMessage("t1-abc", "App@Sender.Test", "<id-1@client.test>", "Hello", ["Billing", "billing", "News"],
            new Dictionary<string, string> { ["Customer"] = "c-7" }.AsReadOnly());
        var keys = SearchKeys.Of(message, ["ann@example.com", "Bob@Example.com", "ann@EXAMPLE.com"]);

        Assert.Equal(
            [
                (SearchField.MessageId, "id-1@client.test"),
                (SearchField.Recipient, "ann@example.com"),
                (SearchField.Recipient, "bob@example.com"),
                (SearchField.Tag, "billing"),
                (SearchField.Tag, "news"),
                (SearchField.Metadata, "customer=c-7"),
            ],
            keys);
        Assert.Empty(SearchKeys.Of(new EventMessage("t1-x", "", null, null, [], ReadOnlyDictionary<string, string>.Empty), []));
    }
}
