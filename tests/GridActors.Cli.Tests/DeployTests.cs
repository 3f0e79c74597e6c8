using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace GridActors.Cli.Tests;

/// <summary>
/// What can be checked of the deployments without a container engine or a cluster: the Dockerfile's
/// build stage run here as a script, its published grid started as the image's entry point would, and
/// docker-compose.yml and the Kubernetes manifests against the silo's own flags, ports and probes.
/// </summary>
public sealed partial class DeployTests
{
    private static string Root => GridProcess.RepositoryRoot;

    private static readonly string[] Dockerfile = File.ReadAllLines(Path.Combine(Root, "deploy", "Dockerfile"));

    /// <summary>The flags grid silo takes, from its help.</summary>
    private static async Task<HashSet<string>> SiloFlagsAsync()
    {
        var help = await GridProcess.RunAsync("silo", "--help");
        return [.. FlagPattern().Matches(help.Stdout).Select(m => m.Value)];
    }

    [Fact]
    public void TheDockerfile_CopiesOnlyWhatExists_AndPublishesAProjectThatExists()
    {
        foreach (var (sources, _) in Copies())
        {
            Assert.All(sources, source => Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"deploy/Dockerfile copies {source}, which is not in the repository"));
        }

        var publish = Assert.Single(Runs(), r => r.StartsWith("dotnet publish ", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Root, publish.Split(' ')[2])), $"deploy/Dockerfile publishes {publish.Split(' ')[2]}, which is not in the repository");

        // Restore comes before the sources, so that a change of code reuses the restored layer.
        var lines = Dockerfile.ToList();
        Assert.True(lines.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal)) < lines.FindIndex(l => l == "COPY grains/ grains/"));
    }

    [Fact]
    public async Task TheDockerfilesBuildStage_RunHere_PublishesAGrid_ThatRunsAsTheEntryPoint_AsANonRootUser()
    {
        // The build stage as a script: its COPY lines into a folder, its RUN lines there, /app a folder of its own.
        var src = Directory.CreateTempSubdirectory("gridactors-image-src-").FullName;
        var app = Directory.CreateTempSubdirectory("gridactors-image-app-").FullName;
        try
        {
            foreach (var (sources, target) in Copies())
            {
                foreach (var source in sources)
                {
                    CopyIntoImage(Path.Combine(Root, source), Path.Combine(src, target), source);
                }
            }

            foreach (var step in Runs())
            {
                var result = await ShellAsync(step.Replace(" /app ", $" {app} ", StringComparison.Ordinal), src, TimeSpan.FromMinutes(8));
                Assert.True(result.ExitCode == 0, $"RUN {step} failed:\n{result.Output}");
            }

            // The runtime stage: the published files and the examples, under a user that is not root.
            CopyIntoImage(Path.Combine(Root, "examples"), Path.Combine(app, "examples"), "examples/");
            Assert.True(File.Exists(Path.Combine(app, "ClearScriptV8.linux-x64.so")), "V8's native library is not among the published files");
            var user = Environment.UserName == "root" ? "setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp " : string.Empty;
            await ShellAsync($"chmod -R a+rX {src} {app}", src, TimeSpan.FromMinutes(1));

            var version = await ShellAsync($"{user}dotnet {app}/grid.dll --version", app, TimeSpan.FromMinutes(1));
            Assert.True(version.ExitCode == 0, version.Output);
            var run = await ShellAsync($"{user}dotnet {app}/grid.dll run examples/square.js 1 2 3", app, TimeSpan.FromMinutes(2));
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.StartsWith("1\n4\n9\n", run.Output);
            Assert.DoesNotContain("Jint", run.Output);
        }
        finally
        {
            Directory.Delete(src, recursive: true);
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    public async Task Compose_SilosUseTheImage_TakeFlagsTheSiloHas_AnswerTheirHealthcheck_AndMatchLocalGrid()
    {
        var compose = Load(Path.Combine(Root, "docker-compose.yml"));
        var services = (YamlMappingNode)compose["services"];
        var flags = await SiloFlagsAsync();
        var localGrid = await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "local-grid.sh"));
        var silos = services.Children.Where(s => ((YamlScalarNode)s.Key).Value!.StartsWith("silo", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, silos.Count);
        foreach (var (key, node) in silos)
        {
            var silo = (YamlMappingNode)node;
            var name = ((YamlScalarNode)key).Value;
            Assert.Equal("deploy/Dockerfile", ((YamlScalarNode)((YamlMappingNode)silo["build"])["dockerfile"]).Value);
            var command = ((YamlSequenceNode)silo["command"]).Select(c => ((YamlScalarNode)c).Value!).ToList();
            Assert.Equal("silo", command[0]);
            foreach (var flag in command.Where(c => c.StartsWith("--", StringComparison.Ordinal)))
            {
                Assert.Contains(flag, flags);

                // deploy/local-grid.sh starts the same silos, with the same flags (the host is loopback there).
                Assert.True(flag == "--host" || localGrid.Contains(flag + " ", StringComparison.Ordinal), $"{name} takes {flag}, which deploy/local-grid.sh does not give its silos");
            }

            Assert.Equal("11111", command[command.IndexOf("--port") + 1]);
            Assert.Equal(name, command[command.IndexOf("--name") + 1]);
            var health = string.Join(' ', ((YamlSequenceNode)((YamlMappingNode)silo["healthcheck"])["test"]).Select(t => ((YamlScalarNode)t).Value));
            Assert.Contains("/dev/tcp/127.0.0.1/11113", health);
            Assert.Contains("GET /healthz", health);
        }

        var published = ((YamlSequenceNode)((YamlMappingNode)silos[0].Value)["ports"]).Select(p => ((YamlScalarNode)p).Value).Single();
        Assert.Equal("127.0.0.1:${GRID_PORT}:11111", published);
        var redis = (YamlMappingNode)services["redis"];
        Assert.Contains("--appendonly", ((YamlSequenceNode)redis["command"]).Select(c => ((YamlScalarNode)c).Value));
        Assert.Contains("redis-data:/data", ((YamlSequenceNode)redis["volumes"]).Select(c => ((YamlScalarNode)c).Value));
    }

    [Fact]
    public async Task TheKubernetesManifests_Build_AndMatchTheSilosFlagsPortsAndProbes()
    {
        var kustomize = await ShellAsync("kubectl kustomize deploy/k8s", Root, TimeSpan.FromMinutes(1));
        Assert.True(kustomize.ExitCode == 0, $"kubectl kustomize deploy/k8s failed (./test.sh installs kubectl: apt-get install kubernetes-client):\n{kustomize.Output}");
        var stream = new YamlStream();
        stream.Load(new StringReader(kustomize.Output));
        var objects = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        YamlMappingNode Find(string kind, string name) => objects.Single(o => Text(o, "kind") == kind && Text((YamlMappingNode)o["metadata"], "name") == name);

        var deployment = Find("Deployment", "gridactors-silo");
        var pod = (YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"];
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)pod["spec"])["containers"]).Single();
        var args = ((YamlSequenceNode)container["args"]).Select(a => ((YamlScalarNode)a).Value!).ToList();
        string Arg(string flag) => args[args.IndexOf(flag) + 1];
        Assert.Equal("silo", args[0]);
        var flags = await SiloFlagsAsync();
        Assert.All(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)), flag => Assert.Contains(flag, flags));
        Assert.Contains("--kubernetes", args);

        var ports = ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>().ToDictionary(p => Text(p, "name"), p => Text(p, "containerPort"));
        Assert.Equal(Arg("--port"), ports["gateway"]);
        Assert.Equal(Arg("--silo-port"), ports["silo"]);
        Assert.Equal(Arg("--http-port"), ports["http"]);
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            var get = (YamlMappingNode)((YamlMappingNode)container[probe])["httpGet"];
            Assert.Equal(("/healthz", "http"), (Text(get, "path"), Text(get, "port")));
        }

        // The pod's identity, from the downward API, and the secret, from the Secret the manifests make.
        var env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().ToDictionary(e => Text(e, "name"));
        Assert.All(new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP" }, name => Assert.True(env.ContainsKey(name), $"the silo needs {name}"));
        var secretRef = (YamlMappingNode)((YamlMappingNode)env["GRIDACTORS_SECRET"]["valueFrom"])["secretKeyRef"];
        var secret = Find("Secret", Text(secretRef, "name"));
        Assert.True(((YamlMappingNode)secret["data"]).Children.ContainsKey(new YamlScalarNode(Text(secretRef, "key"))));

        // One CPU asked and allowed per donated CPU; Orleans' labels name the grid's cluster.
        var resources = (YamlMappingNode)container["resources"];
        Assert.Equal(Arg("--cpus"), Text((YamlMappingNode)resources["requests"], "cpu"));
        Assert.Equal(Arg("--cpus"), Text((YamlMappingNode)resources["limits"], "cpu"));
        var labels = (YamlMappingNode)((YamlMappingNode)pod["metadata"])["labels"];
        Assert.Equal(Arg("--cluster"), Text(labels, "orleans/clusterId"));
        Assert.Equal(Arg("--cluster"), Text(labels, "orleans/serviceId"));
        Assert.Equal(Arg("--redis"), "gridactors-redis:" + Text((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)Find("Service", "gridactors-redis")["spec"])["ports"]).Single(), "port"));

        // Clients and browsers: the gateway and HTTP ports, never the silo-to-silo one.
        var gatewayPorts = ((YamlSequenceNode)((YamlMappingNode)Find("Service", "gridactors-gateway")["spec"])["ports"]).Cast<YamlMappingNode>().Select(p => Text(p, "targetPort")).Order();
        Assert.Equal(["gateway", "http"], gatewayPorts);

        var redis = (YamlMappingNode)((YamlMappingNode)Find("StatefulSet", "gridactors-redis")["spec"]);
        var redisArgs = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)redis["template"])["spec"])["containers"]).Single())["args"]).Select(a => ((YamlScalarNode)a).Value);
        Assert.Contains("--appendonly", redisArgs);
        Assert.Single((YamlSequenceNode)redis["volumeClaimTemplates"]);
        var verbs = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)Find("Role", "gridactors-silo")["rules"]).Single())["verbs"]).Select(v => ((YamlScalarNode)v).Value);
        Assert.Equal(["get", "list", "patch", "watch"], verbs.Order());
    }

    private static string Text(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The build stage's COPY lines (not those from another stage): sources and target.</summary>
    private static IEnumerable<(string[] Sources, string Target)> Copies()
    {
        foreach (var line in BuildStage().Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            yield return (words[..^1], words[^1]);
        }
    }

    private static IEnumerable<string> Runs() => BuildStage().Where(l => l.StartsWith("RUN ", StringComparison.Ordinal)).Select(l => l[4..]);

    private static IEnumerable<string> BuildStage() =>
        Dockerfile.SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal));

    /// <summary>Copies as a docker build would, leaving out what .dockerignore does (build output).</summary>
    private static void CopyIntoImage(string source, string target, string sourceName)
    {
        if (File.Exists(source))
        {
            var file = target.EndsWith('/') || Directory.Exists(target) || sourceName.Contains('/', StringComparison.Ordinal) is false && target.EndsWith("./", StringComparison.Ordinal)
                ? Path.Combine(target, Path.GetFileName(source))
                : target;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.Copy(source, file, overwrite: true);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> ShellAsync(string command, string directory, TimeSpan limit)
    {
        var start = new ProcessStartInfo("bash", ["-c", command + " 2>&1"]) { WorkingDirectory = directory, RedirectStandardOutput = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {limit.TotalMinutes} minutes: {await output}");
        }

        return (process.ExitCode, await output);
    }

    [GeneratedRegex(@"(?<=^\s*|, )--[a-z-]+", RegexOptions.Multiline)]
    private static partial Regex FlagPattern();
}
