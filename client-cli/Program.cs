using System.CommandLine;
using GridActors.Cli;
using GridActors.Cli.Commands;

var root = new RootCommand("""
    grid: run JavaScript tasks on a GridActors volunteer-computing grid.

    Exit codes: 0 every item succeeded; 1 some items failed or the module cannot run;
    2 the command line or its input is wrong; 3 the grid cannot be reached, refused the secret or failed;
    130 interrupted.
    """)
{
    RunCommand.Create(),
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

return await parsed.InvokeAsync();
