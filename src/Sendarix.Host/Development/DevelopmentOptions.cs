namespace Sendarix.Host.Development;

/// <summary>Conveniences for a development machine. Section "Sendarix:Development".</summary>
public sealed class DevelopmentOptions
{
    public const string Section = "Sendarix:Development";

    /// <summary>Create a development tenant and credential on first run and print them at every start.</summary>
    public bool SeedTenant { get; set; }

    /// <summary>Where development secrets and the generated certificate live; keep it out of source control.</summary>
    public string DataDirectory { get; set; } = ".data";
}
