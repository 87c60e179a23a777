namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Azurite => Path.Combine(Root, "node_modules", ".bin", "azurite");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sendarix.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Sendarix.Orleans.sln) was not found above the test binaries.");
    }
}
