using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sendarix.Host;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>One host, four roles: a stateless SMTP front-end joins a silo as an Orleans client; bad settings stop the start.</summary>
public sealed class HostRolesTests
{
    [Fact]
    public async Task A_front_end_without_a_silo_accepts_mail_that_the_silo_delivers()
    {
        await using var sink = new SmtpSink(IPAddress.Loopback);
        var silo = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        silo["Sendarix:Roles:Smtp"] = "false";
        silo["Sendarix:Delivery:Routes:0:Domain"] = "*";
        silo["Sendarix:Delivery:Routes:0:Hosts:0"] = sink.HostPort;
        await using var backend = await Relay.StartAsync(silo);

        var frontEnd = new Dictionary<string, string?>(silo)
        {
            ["Sendarix:Roles:Silo"] = "false",
            ["Sendarix:Roles:Smtp"] = "true",
            ["Sendarix:Roles:Api"] = "false",
            ["Sendarix:Smtp:StartTlsPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:ImplicitTlsPort"] = Ports.Free().ToString(),
            ["Sendarix:Api:Url"] = $"http://127.0.0.1:{Ports.Free()}",
        };
        await using var smtp = await Relay.StartAsync(frontEnd);

        // The front-end is ready once it reaches the cluster through a gateway and its listeners are bound; the silo
        // checks no listener of its own.
        using var http = new HttpClient { BaseAddress = new Uri(frontEnd["Sendarix:Api:Url"]!) };
        var ready = await Relay.ReadAsync(await http.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.Equal(["cluster", "smtp", "storage"], ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        var siloReady = await Relay.ReadAsync(await backend.Api.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.Equal(["cluster", "storage"], siloReady.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());

        var tenant = await backend.CreateTenantAsync();
        var to = $"split-{Guid.NewGuid():N}@sink.test";
        var (code, text) = await PythonSmtp.SubmitAsync(smtp.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Front-end"));

        Assert.Equal(250, code);
        await backend.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains(sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task Delivery_runs_as_a_role_of_its_own_beside_a_silo_that_does_not_deliver()
    {
        await using var sink = new SmtpSink(IPAddress.Loopback);
        var silo = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        silo["Sendarix:Roles:Delivery"] = "false";
        silo["Sendarix:Delivery:Routes:0:Domain"] = "*";
        silo["Sendarix:Delivery:Routes:0:Hosts:0"] = sink.HostPort;
        await using var backend = await Relay.StartAsync(silo);
        Assert.DoesNotContain(backend.Services.GetServices<IHostedService>(), s => s.GetType().Name is "WorkConsumer" or "WebhookDispatcher");

        var deliveryNode = new Dictionary<string, string?>(silo)
        {
            ["Sendarix:Roles:Silo"] = "false",
            ["Sendarix:Roles:Delivery"] = "true",
            ["Sendarix:Roles:Smtp"] = "false",
            ["Sendarix:Roles:Api"] = "false",
            ["Sendarix:Api:Url"] = $"http://127.0.0.1:{Ports.Free()}",
        };
        await using var worker = await Relay.StartAsync(deliveryNode);
        Assert.Contains(worker.Services.GetServices<IHostedService>(), s => s.GetType().Name == "WorkConsumer");
        Assert.Contains(worker.Services.GetServices<IHostedService>(), s => s.GetType().Name == "WebhookDispatcher");
        using var http = new HttpClient { BaseAddress = new Uri(deliveryNode["Sendarix:Api:Url"]!) };
        var ready = await Relay.ReadAsync(await http.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.Equal(["cluster", "storage"], ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());

        var tenant = await backend.CreateTenantAsync();
        var to = $"worker-{Guid.NewGuid():N}@sink.test";
        var (code, text) = await PythonSmtp.SubmitAsync(backend.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Delivery node"));

        Assert.Equal(250, code);
        await backend.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains(sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task A_listener_port_that_is_taken_stops_the_start_with_a_clear_error()
    {
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, Ports.Free());
        squatter.Start();
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Smtp:ImplicitTlsPort"] = ((IPEndPoint)squatter.LocalEndpoint).Port.ToString();
        var app = SendarixHost.Build([], settings);
        await using var _ = app;

        // The front-end's failure stops the host, which may be while the rest is still starting.
        var starting = await Record.ExceptionAsync(() => app.StartAsync());
        Assert.True(starting is null or OperationCanceledException, $"the start failed otherwise: {starting}");
        var frontEnd = (Sendarix.Reception.SmtpFrontEnd)app.Services.GetService(typeof(Sendarix.Reception.SmtpFrontEnd))!;
        var error = await Record.ExceptionAsync(() => frontEnd.Listening.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("could not be opened", error.Message);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("Sendarix:Smtp:BindAddress", "not-an-ip", "BindAddress")]
    [InlineData("Sendarix:Delivery:Routes:0:Domain", "*", "Routes")]
    [InlineData("Sendarix:Smtp:FeedbackAddresses:0", "not-an-address", "FeedbackAddresses")]
    [InlineData("Sendarix:Retry:MaxRetry", "00:00:00.5", "MaxRetry")]
    [InlineData("Sendarix:Storage:Prefix", "Bad_Prefix", "Prefix")]
    public async Task Invalid_settings_stop_the_start_with_a_message_naming_them(string key, string value, string named)
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings[key] = value;
        var error = await Record.ExceptionAsync(async () =>
        {
            var app = SendarixHost.Build([], settings);
            await using var _ = app;
            await app.StartAsync();
            await app.StopAsync();
        });

        Assert.NotNull(error);
        Assert.True(error is OptionsValidationException or InvalidOperationException, error.ToString());
        Assert.Contains(named, error.Message);
    }
}
