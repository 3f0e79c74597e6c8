namespace GridActors.Cli.Tests;

public class HelpTests
{
    [Theory]
    [InlineData("run-help.txt", "run", "--help")]
    [InlineData("root-help.txt", "--help")]
    [InlineData("silo-help.txt", "silo", "--help")]
    [InlineData("submit-help.txt", "submit", "--help")]
    [InlineData("results-help.txt", "results", "--help")]
    [InlineData("status-help.txt", "status", "--help")]
    [InlineData("cancel-help.txt", "cancel", "--help")]
    [InlineData("delete-help.txt", "delete", "--help")]
    [InlineData("volunteers-help.txt", "volunteers", "--help")]
    [InlineData("usage-help.txt", "usage", "--help")]
    [InlineData("invite-help.txt", "invite", "--help")]
    public async Task Help_MatchesTheStoredExpectation(string expected, params string[] args)
    {
        var run = await GridProcess.RunAsync(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Expected", expected)), run.Stdout);
    }
}
