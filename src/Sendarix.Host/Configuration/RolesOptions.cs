namespace Sendarix.Host.Configuration;

/// <summary>
/// Which parts this process runs. Section "Sendarix:Roles". By default all of them, in one process; a node without
/// <see cref="Silo"/> joins the cluster as a stateless Orleans client.
/// </summary>
public sealed class RolesOptions
{
    public const string Section = "Sendarix:Roles";

    /// <summary>An Orleans silo: the grains and their reminders.</summary>
    public bool Silo { get; set; } = true;

    /// <summary>
    /// Delivery workers: the delivery queue to destinations, and the webhook queue to endpoints. Unset: wherever the
    /// silo runs. A node with only this role scales delivery apart from the grains.
    /// </summary>
    public bool? Delivery { get; set; }

    public bool RunsDelivery => Delivery ?? Silo;

    /// <summary>The SMTP submission listeners.</summary>
    public bool Smtp { get; set; } = true;

    /// <summary>The management REST API.</summary>
    public bool Api { get; set; } = true;

    public bool RunsNothing => !Silo && !RunsDelivery && !Smtp && !Api;
}
