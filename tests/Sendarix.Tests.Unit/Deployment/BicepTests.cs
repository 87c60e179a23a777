using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sendarix.Core.Telemetry;
using Sendarix.Host;

namespace Sendarix.Tests.Unit;

/// <summary>
/// The Azure deployment (bicep/) and the image (Dockerfile): the templates build and lint without a warning with the
/// Bicep CLI restored from NuGet, every setting they pass to the relay is one the relay has, and the alert rules and
/// the workbook name the relay's real metrics and log events.
/// </summary>
public sealed partial class BicepTests
{
    // Must match the PackageDownload in Sendarix.Tests.Unit.csproj.
    const string BicepVersion = "0.49.2";

    static readonly string Root = FindRoot();
    static readonly string BicepDirectory = Path.Combine(Root, "bicep");

    public static TheoryData<string> BicepFiles() =>
        [.. Directory.GetFiles(BicepDirectory, "*.bicep", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order()];

    public static TheoryData<string> ParameterFiles() =>
        [.. Directory.GetFiles(BicepDirectory, "*.bicepparam").Select(f => Path.GetRelativePath(Root, f)).Order()];

    [Fact]
    public void Bicep_main_template_builds_without_warnings()
    {
        var (exitCode, output, errors) = RunBicep("build", "bicep/main.bicep", "--stdout");

        Assert.True(exitCode == 0 && errors.Length == 0, $"bicep build: exit {exitCode}\n{errors}");
        using var template = JsonDocument.Parse(output);
        var resources = template.RootElement.GetProperty("resources");
        Assert.True(resources.ValueKind == JsonValueKind.Array ? resources.GetArrayLength() > 0 : resources.EnumerateObject().Any());
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Bicep_file_lints_clean(string file)
    {
        var (exitCode, output, errors) = RunBicep("lint", file);

        Assert.True(exitCode == 0 && output.Length == 0 && errors.Length == 0, $"bicep lint {file}: exit {exitCode}\n{output}{errors}");
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Bicep_parameter_file_builds_and_lints_clean(string file)
    {
        var (buildExit, parameters, buildErrors) = RunBicep("build-params", file, "--stdout");
        var (lintExit, lintOutput, lintErrors) = RunBicep("lint", file);

        Assert.True(buildExit == 0 && buildErrors.Length == 0, $"bicep build-params {file}: exit {buildExit}\n{buildErrors}");
        Assert.True(lintExit == 0 && lintOutput.Length == 0 && lintErrors.Length == 0, $"bicep lint {file}: exit {lintExit}\n{lintOutput}{lintErrors}");
        using var json = JsonDocument.Parse(parameters);
        Assert.True(json.RootElement.TryGetProperty("parametersJson", out _));
    }

    [Fact]
    public void Bicep_every_setting_passed_to_the_relay_is_a_setting_of_the_relay()
    {
        var names = SettingNamesPassed();
        var sections = OptionsSections();
        var problems = new List<string>();

        // Sanity: the extraction finds the settings of both scale sets and the image.
        Assert.Contains("Sendarix__Roles__Silo", names);
        Assert.Contains("Sendarix__Egress__Pools__*__Ips__*__Address", names);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", names);
        Assert.Contains("Sendarix__Cluster__AdvertisedAddress", names);

        foreach (var name in names)
        {
            var known = IsWellKnown(name) || Resolves(name, sections);
            if (!known)
            {
                problems.Add($"{name} is not a setting of the relay");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Bicep_alerts_and_workbook_name_the_relays_metrics_and_log_events()
    {
        var metrics = typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var eventNames = Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => LoggerEventName().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToHashSet();
        var alerts = File.ReadAllText(Path.Combine(BicepDirectory, "modules", "alerts.bicep"));
        var workbookText = File.ReadAllText(Path.Combine(BicepDirectory, "workbook", "relay.workbook.json"));
        using var workbook = JsonDocument.Parse(workbookText);

        foreach (var (file, text) in new[] { ("alerts.bicep", alerts), ("relay.workbook.json", workbookText) })
        {
            var used = QuotedMetricName().Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(used);
            Assert.All(used, m => Assert.True(metrics.Contains(m), $"{file}: {m} is not in MetricNames"));
            var events = QuotedWebhookEvent().Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(events);
            Assert.All(events, e => Assert.True(eventNames.Contains(e), $"{file}: no log event is named {e}"));
        }

        Assert.Equal("Notebook/1.0", workbook.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public void Bicep_dockerfile_builds_the_host_for_its_framework_and_exposes_its_ports()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var framework = Regex.Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), "<TargetFramework>net([0-9.]+)</TargetFramework>").Groups[1].Value;
        using var appsettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "src", "Sendarix.Host", "appsettings.json")));
        var sendarix = appsettings.RootElement.GetProperty("Sendarix");
        var exposed = Regex.Matches(dockerfile, @"^EXPOSE (.+)$", RegexOptions.Multiline).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();

        Assert.Contains($"FROM mcr.microsoft.com/dotnet/sdk:{framework} AS build", dockerfile);
        Assert.Contains($"FROM mcr.microsoft.com/dotnet/aspnet:{framework}", dockerfile);
        var project = Regex.Match(dockerfile, @"dotnet publish (\S+\.csproj)").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(Root, project)), $"the Dockerfile publishes {project}, which does not exist");
        Assert.Contains($"\"/app/{Path.GetFileNameWithoutExtension(project)}.dll\"", dockerfile);
        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        foreach (var port in new[]
        {
            sendarix.GetProperty("Smtp").GetProperty("StartTlsPort").GetInt32(),
            sendarix.GetProperty("Smtp").GetProperty("ImplicitTlsPort").GetInt32(),
            new Uri(sendarix.GetProperty("Api").GetProperty("Url").GetString()!).Port,
            sendarix.GetProperty("Cluster").GetProperty("SiloPort").GetInt32(),
            sendarix.GetProperty("Cluster").GetProperty("GatewayPort").GetInt32(),
        })
        {
            Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), exposed);
        }
    }

    /// <summary>
    /// Every environment variable name the deployment gives the relay: Sendarix__ names anywhere in the templates, the
    /// node script and the Dockerfile (an interpolated part, such as a pool name or list index, becomes "*"), and the
    /// upper-case object keys of the templates (AZURE_CLIENT_ID and the like).
    /// </summary>
    static SortedSet<string> SettingNamesPassed()
    {
        var files = Directory.GetFiles(BicepDirectory, "*.bicep", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(BicepDirectory, "scripts"), "*.sh"))
            .Append(Path.Combine(Root, "Dockerfile"));
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = Interpolation().Replace(File.ReadAllText(file), "*");
            names.UnionWith(SendarixName().Matches(text).Select(m => m.Value));
            if (file.EndsWith(".bicep", StringComparison.Ordinal))
            {
                names.UnionWith(UpperCaseKey().Matches(text).Select(m => m.Groups[1].Value));
            }
        }

        return names;
    }

    static bool IsWellKnown(string name) =>
        // Azure.Identity's own variable: which user-assigned managed identity DefaultAzureCredential uses.
        name == "AZURE_CLIENT_ID"
        // Read by the host's telemetry setup (TelemetrySetup.AzureMonitorSetting).
        || name == (string?)typeof(SendarixHost).Assembly.GetType("Sendarix.Host.Telemetry.TelemetrySetup")?
            .GetField("AzureMonitorSetting", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue();

    /// <summary>Whether Sendarix__Section__Property[__...] binds: the section is an options class's, and each further part a property, dictionary key or list index of it.</summary>
    static bool Resolves(string name, Dictionary<string, Type> sections)
    {
        var parts = name.Split("__");
        if (parts.Length < 3 || parts[0] != "Sendarix" || !sections.TryGetValue($"Sendarix:{parts[1]}", out var type))
        {
            return false;
        }

        foreach (var part in parts.Skip(2))
        {
            if (Element(type, out var key) is { } element)
            {
                // A dictionary takes any key; a list an index (or an interpolated one).
                if (key == typeof(int) && part != "*" && !int.TryParse(part, out _))
                {
                    return false;
                }

                type = element;
                continue;
            }

            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite && Element(property.PropertyType, out _) is null)
            {
                return false;
            }

            type = property.PropertyType;
        }

        // A name must end at a value, not in the middle of an object.
        var final = Nullable.GetUnderlyingType(type) ?? type;
        return final.IsPrimitive || final.IsEnum || final == typeof(string) || final == typeof(TimeSpan) || final == typeof(decimal) || final == typeof(Uri);
    }

    /// <summary>The element type of a dictionary (key string) or list (key int); null for anything else.</summary>
    static Type? Element(Type type, out Type? key)
    {
        key = null;
        if (type == typeof(string))
        {
            return null;
        }

        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null)
        {
            key = typeof(string);
            return dictionary.GetGenericArguments()[1];
        }

        if (type.IsArray || typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            key = typeof(int);
            return type.IsArray ? type.GetElementType() : type.GetGenericArguments()[0];
        }

        return null;
    }

    /// <summary>Every options class of the relay by its section: the types with a Section constant in the host and the relay's assemblies it references.</summary>
    static Dictionary<string, Type> OptionsSections()
    {
        var assemblies = new Dictionary<string, Assembly>();
        var pending = new Queue<Assembly>([typeof(SendarixHost).Assembly]);
        while (pending.TryDequeue(out var assembly))
        {
            if (assemblies.TryAdd(assembly.GetName().Name!, assembly))
            {
                foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Sendarix.", StringComparison.Ordinal)))
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
            }
        }

        var sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in assemblies.Values.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetRawConstantValue() is string section)
            {
                sections[section] = type;
            }
        }

        Assert.True(sections.Count >= 15, $"found only {sections.Count} options sections");
        return sections;
    }

    static (int ExitCode, string Output, string Errors) RunBicep(params string[] arguments)
    {
        var start = new ProcessStartInfo(BicepPath())
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The parameter files read the admin's SSH key from the environment; any value builds.
        start.Environment["SENDARIX_SSH_PUBLIC_KEY"] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITestKeyOnly test";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish in 2 minutes");
        }

        return (process.ExitCode, output.Result, errors.Result);
    }

    static string BicepPath()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "azure.bicep.commandline.linux-x64", BicepVersion, "tools", "bicep");
        Assert.True(File.Exists(path), $"The Bicep CLI is restored by Sendarix.Tests.Unit's PackageDownload to {path}; run dotnet restore.");

        // NuGet does not keep the run bit for everyone. (The package is the Linux x64 CLI, as CI runs.)
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & execute) != execute)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return path;
    }

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sendarix.Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Sendarix.Orleans.sln) is not above the test's directory.");
    }

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"\bSendarix__[A-Za-z0-9_*]+")]
    private static partial Regex SendarixName();

    [GeneratedRegex(@"(?m)^\s*([A-Z][A-Z0-9]*_[A-Z0-9_]+)\s*:")]
    private static partial Regex UpperCaseKey();

    [GeneratedRegex(@"'(sendarix\.[a-z_.]+)'")]
    private static partial Regex QuotedMetricName();

    [GeneratedRegex(@"'(Webhook[A-Za-z]+)'")]
    private static partial Regex QuotedWebhookEvent();

    [GeneratedRegex(@"EventName = ""([A-Za-z]+)""")]
    private static partial Regex LoggerEventName();
}
