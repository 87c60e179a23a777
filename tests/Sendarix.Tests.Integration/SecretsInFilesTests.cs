using Microsoft.Extensions.Configuration;
using Sendarix.Host.Identity;

namespace Sendarix.Tests.Integration;

/// <summary>Outside development, secrets written in a settings file stop the start; from elsewhere they are taken.</summary>
public sealed class SecretsInFilesTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"appsettings-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    IConfigurationRoot Configuration(string json, Dictionary<string, string?>? environment = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        File.WriteAllText(_file, json);
        return new ConfigurationBuilder().AddJsonFile(_file).AddInMemoryCollection(environment ?? []).Build();
    }

    [Fact]
    public void Refuses_the_operator_key_and_an_account_key_in_a_settings_file()
    {
        var configuration = Configuration("""
            { "Sendarix": { "Api": { "OperatorApiKey": "0123456789abcdef0123456789abcdef" },
              "Storage": { "ConnectionString": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;" } } }
            """);
        var error = Assert.Throws<InvalidOperationException>(() => SecretsInFiles.Refuse(configuration));
        Assert.Contains("Sendarix:Api:OperatorApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sendarix:Storage:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Takes_secrets_given_over_the_file_and_settings_without_secrets()
    {
        var configuration = Configuration("""
            { "Sendarix": { "Domains": { "KeyEncryptionKey": "from-the-file" }, "Storage": { "ConnectionString": "UseDevelopmentStorage=true" } } }
            """, new() { ["Sendarix:Domains:KeyEncryptionKey"] = "from-the-environment" });
        SecretsInFiles.Refuse(configuration);
    }
}
