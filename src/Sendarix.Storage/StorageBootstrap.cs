using Microsoft.Extensions.Hosting;

namespace Sendarix.Storage;

/// <summary>Creates the relay's tables, queue and container before anything else starts.</summary>
internal sealed class StorageBootstrap(StorageClients storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => storage.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
