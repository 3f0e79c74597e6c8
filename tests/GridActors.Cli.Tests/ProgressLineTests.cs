using GridActors.Cli.Output;

namespace GridActors.Cli.Tests;

public class ProgressLineTests
{
    [Fact]
    public void WithATotal_ItDrawsABar_TheRate_AndTheTimeLeft() =>
        Assert.Equal("[######..................] 250/1000 50/s ETA 15s", ProgressLine.Format(250, 1000, TimeSpan.FromSeconds(5)));

    [Fact]
    public void WhileTheInputIsOpen_ItShowsWhatIsDone_AndTheRate() =>
        Assert.Equal("300 done, 100/s", ProgressLine.Format(300, null, TimeSpan.FromSeconds(3)));

    [Theory]
    [InlineData(42, "42s")]
    [InlineData(125, "2m05s")]
    [InlineData(7260, "2h01m")]
    public void TimeLeft_ReadsAtAGlance(int seconds, string expected) =>
        Assert.Equal(expected, ProgressLine.FormatTime(TimeSpan.FromSeconds(seconds)));
}
