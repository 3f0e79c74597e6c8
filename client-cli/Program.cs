using System.CommandLine;
using GridActors.Cli;
using GridActors.Cli.Commands;

var root = new RootCommand("""
    grid: run JavaScript tasks on a GridActors volunteer-computing grid.

    Which grid: --grid HOST:PORT (a silo's gateway) or --redis HOST:PORT (find the silos in Redis;
    HOST:PORT,password=P,ssl=true for a guarded Redis), with
    --secret; else GRIDACTORS_GRID, GRIDACTORS_REDIS, GRIDACTORS_SECRET and GRIDACTORS_CLUSTER;
    else ~/.gridactors/config.json (or the file GRIDACTORS_CONFIG names), a JSON object such as
    {"redis": "127.0.0.1:6379", "secret": "s3cret"}. Flags win over the environment, the
    environment over the file. grid run with no grid at all starts one in this process.

    Exit codes: 0 all done (every item succeeded); 1 some items failed or the module cannot run;
    2 usage error: the command line, its input, the config file or the task id is wrong;
    3 the grid cannot be reached, refused the secret or failed; 130 interrupted.
    """)
{
    RunCommand.Create(),
    TaskCommands.Submit(),
    TaskCommands.Results(),
    TaskCommands.Status(),
    TaskCommands.Cancel(),
    TaskCommands.Delete(),
    GridCommands.Volunteers(),
    GridCommands.Usage(),
    InviteCommand.Create(),
    SiloCommand.Create(),
};

var parsed = root.Parse(args);
var errors = parsed.Errors.Select(e => e.Message).Concat(UnknownOptions.Find(parsed)).ToList();
if (errors.Count > 0)
{
    foreach (var error in errors)
    {
        await Console.Error.WriteLineAsync($"grid: {error}");
    }

    var command = parsed.CommandResult.Command;
    var name = command == root ? "grid" : $"grid {command.Name}";
    await Console.Error.WriteLineAsync($"Run '{name} --help' to see what it accepts.");
    return ExitCodes.Usage;
}

// Ctrl+C cancels the command's work; the command then stops what it started (an embedded grid
// stops its silo and runners, a silo leaves its cluster) and says so. That can take a few seconds on a
// busy machine, more than the 2 s System.CommandLine allows by default before it ends the process
// without a word.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });
