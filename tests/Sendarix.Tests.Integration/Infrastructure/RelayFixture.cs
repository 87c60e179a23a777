using System.Net;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// One relay on the shared Azurite with scripted destinations, each behind its own domain so tests stay
/// independent: "sink.test" (and every unrouted domain) accepts everything, "retry.test" answers the first
/// connection with 421, "hang.test" goes silent after its greeting, "tls.test" requires STARTTLS of a sink that offers
/// it, "notls.test" requires it of the plain sink, and "reuse.test" has a plain sink of its own.
/// </summary>
public sealed class RelayFixture : IAsyncLifetime
{
    internal SmtpSink Sink { get; } = new(IPAddress.Loopback);

    internal SmtpSink RetrySink { get; } = new(IPAddress.Parse("127.0.0.2")) { Greeting = n => n == 0 ? "421 4.3.2 Service not available, try again later" : "220 retry.test ESMTP" };

    internal SmtpSink HangSink { get; } = new(IPAddress.Parse("127.0.0.3")) { HangAfterGreeting = true };

    internal SmtpSink TlsSink { get; } = new(IPAddress.Parse("127.0.0.9")) { OfferStartTls = true };

    internal SmtpSink ReuseSink { get; } = new(IPAddress.Parse("127.0.0.10"));

    internal Relay Relay { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteServer.Shared;
        var settings = Relay.DefaultSettings(azurite.ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Smtp:SandboxPort"] = Ports.Free().ToString();
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = Sink.HostPort;
        settings["Sendarix:Delivery:Routes:1:Domain"] = "retry.test";
        settings["Sendarix:Delivery:Routes:1:Hosts:0"] = RetrySink.HostPort;
        settings["Sendarix:Delivery:Routes:2:Domain"] = "hang.test";
        settings["Sendarix:Delivery:Routes:2:Hosts:0"] = HangSink.HostPort;
        settings["Sendarix:Delivery:Routes:3:Domain"] = "tls.test";
        settings["Sendarix:Delivery:Routes:3:Hosts:0"] = TlsSink.HostPort;
        settings["Sendarix:Delivery:Routes:3:Tls"] = "Required";
        settings["Sendarix:Delivery:Routes:4:Domain"] = "notls.test";
        settings["Sendarix:Delivery:Routes:4:Hosts:0"] = Sink.HostPort;
        settings["Sendarix:Delivery:Routes:4:Tls"] = "Required";
        settings["Sendarix:Delivery:Routes:5:Domain"] = "reuse.test";
        settings["Sendarix:Delivery:Routes:5:Hosts:0"] = ReuseSink.HostPort;
        Relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Sink.DisposeAsync();
        await RetrySink.DisposeAsync();
        await HangSink.DisposeAsync();
        await TlsSink.DisposeAsync();
        await ReuseSink.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RelayCollection : ICollectionFixture<RelayFixture>
{
    public const string Name = "relay";
}
