using Sendarix.Host;

await SendarixHost.Build(args).RunAsync();
