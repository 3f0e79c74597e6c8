using GridActors.Runner;
using GridActors.Runner.Protocol;

// The runner is started by a silo, never by hand: it speaks frames on stdin and stdout.
if (!Console.IsInputRedirected)
{
    await Console.Error.WriteLineAsync("GridActors.Runner runs jobs for a silo over stdin/stdout and is not meant to be started by hand. Use ./grid run MODULE ITEM...");
    return 2;
}

var settings = RunnerSettings.Parse(args);
var stdin = new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
var stdout = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
var console = Console.Error;
var input = new FrameStream(stdin, maxFrameBytes: 64 * 1024 * 1024);
var output = new FrameStream(stdout, maxFrameBytes: int.MaxValue);

// Jobs run on a thread with a large stack, so the engine's recursion limit is reached long before the real stack ends.
var exitCode = 0;
var thread = new Thread(
    () =>
    {
        using var loop = new RunnerLoop(input, output, settings, console);
        exitCode = loop.Run();
    },
    256 * 1024 * 1024)
{
    Name = "runner",
};
thread.Start();
thread.Join();
return exitCode;
