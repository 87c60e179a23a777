namespace Sendarix.Core.Domains;

/// <summary>What DNS says about a record the relay asked a domain owner to publish.</summary>
public enum RecordStatus
{
    /// <summary>Not looked up yet.</summary>
    Unchecked,

    /// <summary>Published as asked.</summary>
    Found,

    /// <summary>Nothing of that kind at the name.</summary>
    Missing,

    /// <summary>A record of that kind is there but says something else.</summary>
    Wrong,
}
