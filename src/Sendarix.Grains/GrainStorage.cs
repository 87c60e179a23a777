namespace Sendarix.Grains;

/// <summary>Names of the Orleans grain storage providers the grains use.</summary>
public static class GrainStorage
{
    /// <summary>Azure Table storage (table OrleansGrainState).</summary>
    public const string Default = "sendarix";
}
