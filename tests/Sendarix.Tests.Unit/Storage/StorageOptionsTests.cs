using System.ComponentModel.DataAnnotations;
using Sendarix.Storage;

namespace Sendarix.Tests.Unit;

public sealed class StorageOptionsTests
{
    static List<string> Errors(StorageOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }

    static StorageOptions ByUri() => new()
    {
        TableServiceUri = new Uri("https://relay.table.core.windows.net"),
        QueueServiceUri = new Uri("https://relay.queue.core.windows.net"),
        BlobServiceUri = new Uri("https://relay.blob.core.windows.net"),
    };

    [Fact]
    public void The_default_is_azurite_by_connection_string()
    {
        var options = new StorageOptions();
        Assert.Empty(Errors(options));
        Assert.False(options.UsesServiceUris);
    }

    [Fact]
    public void Three_service_uris_take_the_place_of_the_connection_string()
    {
        var options = ByUri();
        Assert.Empty(Errors(options));
        Assert.True(options.UsesServiceUris);
    }

    [Fact]
    public void Service_uris_go_together()
    {
        var options = ByUri();
        options.QueueServiceUri = null;
        Assert.Contains(Errors(options), e => e.Contains("go together", StringComparison.Ordinal));
    }

    [Fact]
    public void Neither_a_connection_string_nor_uris_is_an_error()
    {
        Assert.Contains(Errors(new StorageOptions { ConnectionString = "" }),
            e => e.Contains("set ConnectionString, or TableServiceUri, QueueServiceUri and BlobServiceUri", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://relay.table.core.windows.net")]
    [InlineData("relay.table.core.windows.net")]
    public void A_service_uri_must_be_absolute_https(string uri)
    {
        var options = ByUri();
        options.TableServiceUri = new Uri(uri, UriKind.RelativeOrAbsolute);
        Assert.Contains(Errors(options), e => e.Contains("TableServiceUri", StringComparison.Ordinal) && e.Contains("https", StringComparison.Ordinal));
    }

    [Fact]
    public void The_reporting_account_is_given_one_way()
    {
        var options = ByUri();
        options.ReportingTableServiceUri = new Uri("https://reports.table.core.windows.net");
        Assert.Empty(Errors(options));
        options.ReportingConnectionString = "UseDevelopmentStorage=true";
        Assert.Contains(Errors(options), e => e.Contains("not both", StringComparison.Ordinal));
    }

    [Fact]
    public void Clients_by_uri_need_a_credential()
    {
        var accounts = new StorageAccounts(ByUri(), credential: null);
        Assert.Throws<InvalidOperationException>(() => accounts.Tables());
        Assert.Null(accounts.ReportingTables());
    }
}
