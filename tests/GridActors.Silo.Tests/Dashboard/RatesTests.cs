using GridActors.Silo.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace GridActors.Silo.Tests.Dashboard;

public sealed class RatesTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ACounterPublishedOutOfStepWithTheDashboard_ReadsAsItsSteadyRate()
    {
        var rates = new Rates(_time, TimeSpan.FromSeconds(5));

        // 10 jobs a second, but the silo's count reaches the dashboard in lumps: 0, 20, 20, 40, 40, ...
        double last = 0;
        for (var second = 0; second <= 12; second++)
        {
            last = rates.Of("silo", second / 2 * 20, _time.GetTimestamp());
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(last, 8, 12);
    }

    [Fact]
    public void AFirstReading_IsNoRateYet_AndACounterThatWentBack_StartsAgain()
    {
        var rates = new Rates(_time, TimeSpan.FromSeconds(5));

        Assert.Equal(0, rates.Of("tab", 500, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, rates.Of("tab", 510, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, rates.Of("tab", 3, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, rates.Of("tab", 7, _time.GetTimestamp()));
    }

    [Fact]
    public void KeysNoLongerSeen_AreForgotten()
    {
        var rates = new Rates(_time, TimeSpan.FromSeconds(5));
        rates.Of("gone", 100, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(1));

        rates.KeepOnly(["other"]);

        // Forgotten: its next reading is a first one again, not a rate since the old count.
        Assert.Equal(0, rates.Of("gone", 200, _time.GetTimestamp()));
    }
}
