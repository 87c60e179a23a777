namespace Sendarix.Host.Configuration;

/// <summary>
/// Which parts this process runs. Section "Sendarix:Roles". By default all three, in one process; SMTP front-ends
/// and API nodes without <see cref="Silo"/> join the cluster as stateless Orleans clients.
/// </summary>
public sealed class RolesOptions
{
    public const string Section = "Sendarix:Roles";

    /// <summary>An Orleans silo: the grains, reminders and delivery workers.</summary>
    public bool Silo { get; set; } = true;

    /// <summary>The SMTP submission listeners.</summary>
    public bool Smtp { get; set; } = true;

    /// <summary>The management REST API.</summary>
    public bool Api { get; set; } = true;
}
