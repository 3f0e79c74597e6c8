namespace GridActors.Cli.Tests;

public class HelpTests
{
    [Theory]
    [InlineData("run-help.txt", "run", "--help")]
    [InlineData("root-help.txt", "--help")]
    [InlineData("silo-help.txt", "silo", "--help")]
    public async Task Help_MatchesTheStoredExpectation(string expected, params string[] args)
    {
        var run = await GridProcess.RunAsync(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Expected", expected)), run.Stdout);
    }
}
