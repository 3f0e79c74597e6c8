using GridActors.Grid;
using GridActors.Testing;

namespace GridActors.Grains.Tests;

public class ResultLogTests
{
    private readonly FakeTimeProvider _time = new();

    private static JobReport Report(long index) => new(index, index.ToString(System.Globalization.CultureInfo.InvariantCulture), (index * index).ToString(System.Globalization.CultureInfo.InvariantCulture), null, JobErrorKind.Script);

    [Fact]
    public async Task Read_ReturnsOnlyTheContiguousPrefix()
    {
        var log = new ResultLog(_time, keepResults: true);
        log.SetInput(4, complete: true);
        log.Add(Report(0));
        log.Add(Report(2));

        var page = await log.ReadAsync(0, 10, TimeSpan.Zero);

        Assert.Equal([0L], page.Results.Select(r => r.Index));
        Assert.Equal(1, page.NextCursor);
        Assert.False(page.Finished);
    }

    [Fact]
    public async Task Read_WaitsForTheNextResult()
    {
        var log = new ResultLog(_time, keepResults: true);
        log.SetInput(1, complete: true);
        var reading = log.ReadAsync(0, 10, TimeSpan.FromSeconds(5));
        Assert.False(reading.IsCompleted);

        log.Add(Report(0));

        var page = await Eventually.Within(reading);
        Assert.Equal([0L], page.Results.Select(r => r.Index));
        Assert.True(page.Finished);
    }

    [Fact]
    public async Task Read_ReturnsAnEmptyPageWhenTheWaitEnds()
    {
        var log = new ResultLog(_time, keepResults: true);
        log.SetInput(1, complete: false);
        var reading = log.ReadAsync(0, 10, TimeSpan.FromSeconds(5));

        _time.Advance(TimeSpan.FromSeconds(5));

        var page = await Eventually.Within(reading);
        Assert.Empty(page.Results);
        Assert.Equal(0, page.NextCursor);
    }

    [Fact]
    public async Task DuplicateReport_IsRefused()
    {
        var log = new ResultLog(_time, keepResults: true);
        Assert.True(log.Add(Report(0)));
        Assert.False(log.Add(Report(0) with { Result = "other" }));
        log.SetInput(1, complete: true);

        Assert.Equal("0", (await log.ReadAsync(0, 10, TimeSpan.Zero)).Results.Single().Result);
    }

    [Fact]
    public async Task WithoutKeepResults_WhatWasReadIsDropped()
    {
        var log = new ResultLog(_time, keepResults: false);
        log.SetInput(3, complete: true);
        log.Add(Report(0));
        log.Add(Report(1));
        log.Add(Report(2));
        var page = await log.ReadAsync(0, 2, TimeSpan.Zero);

        await log.ReadAsync(page.NextCursor, 10, TimeSpan.Zero);

        Assert.Equal(1, log.Held);
        Assert.False(log.Add(Report(0)));
    }

    [Fact]
    public async Task ModuleError_EndsTheReading()
    {
        var log = new ResultLog(_time, keepResults: true);
        log.SetInput(2, complete: true);
        log.Add(new JobReport(1, "2", null, "bad.js: SyntaxError (line 1)", JobErrorKind.Module));

        var page = await log.ReadAsync(0, 10, TimeSpan.FromSeconds(5));

        Assert.Equal("bad.js: SyntaxError (line 1)", page.ModuleError);
    }
}
