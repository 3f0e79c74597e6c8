using GridActors.Grains.Storage;
using GridActors.Grains.Tasks;
using GridActors.Grid;
using GridActors.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GridActors.Grains.Tests.Tasks;

public class ResultLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryTaskStore _store = new();

    private static JobReport Report(long index) => new(index, index.ToString(System.Globalization.CultureInfo.InvariantCulture), (index * index).ToString(System.Globalization.CultureInfo.InvariantCulture), null, JobErrorKind.Script);

    private ResultLog NewLog(bool keepResults = true, long contiguous = 0) => new(_store, "t", _time, keepResults, contiguous);

    // What a job does: store its result, then tell the task.
    private async Task<bool> Finish(ResultLog log, JobReport report) => await _store.AddResultAsync("t", report) && log.Add(report);

    [Fact]
    public async Task Read_ReturnsOnlyTheContiguousPrefix()
    {
        var log = NewLog();
        log.SetInput(4, complete: true);
        await Finish(log, Report(0));
        await Finish(log, Report(2));

        var page = await log.ReadAsync(0, 10, TimeSpan.Zero);

        Assert.Equal([0L], page.Results.Select(r => r.Index));
        Assert.Equal(1, page.NextCursor);
        Assert.False(page.Finished);
    }

    [Fact]
    public async Task Read_WaitsForTheNextResult()
    {
        var log = NewLog();
        log.SetInput(1, complete: true);
        var reading = log.ReadAsync(0, 10, TimeSpan.FromSeconds(5));
        Assert.False(reading.IsCompleted);

        await Finish(log, Report(0));

        var page = await Eventually.Within(reading);
        Assert.Equal([0L], page.Results.Select(r => r.Index));
        Assert.True(page.Finished);
    }

    [Fact]
    public async Task Read_ReturnsAnEmptyPageWhenTheWaitEnds()
    {
        var log = NewLog();
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
        var log = NewLog();
        Assert.True(await Finish(log, Report(0)));
        Assert.False(await Finish(log, Report(0) with { Result = "other" }));
        log.SetInput(1, complete: true);

        Assert.Equal("0", (await log.ReadAsync(0, 10, TimeSpan.Zero)).Results.Single().Result);
    }

    [Fact]
    public async Task WithoutKeepResults_WhatWasReadIsForgotten_HereAndInTheStore()
    {
        var log = NewLog(keepResults: false);
        log.SetInput(3, complete: true);
        await Finish(log, Report(0));
        await Finish(log, Report(1));
        await Finish(log, Report(2));
        var page = await log.ReadAsync(0, 2, TimeSpan.Zero);

        await log.ReadAsync(page.NextCursor, 10, TimeSpan.Zero);

        // Result 2 was handed out but the reader has not come back past it: only the store keeps it.
        Assert.Equal(0, log.Held);
        Assert.Equal([null, null, Report(2)], await _store.ReadResultsAsync("t", 0, 3));
        Assert.False(await Finish(log, Report(0)));
    }

    [Fact]
    public async Task WithKeepResults_ResultsCanBeReadAgain_FromTheStore()
    {
        var log = NewLog();
        log.SetInput(2, complete: true);
        await Finish(log, Report(0));
        await Finish(log, Report(1));
        await log.ReadAsync(0, 10, TimeSpan.Zero);
        Assert.Equal(0, log.Held);

        var again = await log.ReadAsync(0, 10, TimeSpan.Zero);

        Assert.Equal([0L, 1L], again.Results.Select(r => r.Index));
        Assert.True(again.Finished);
    }

    [Fact]
    public async Task ANewLog_FindsResultsItWasNeverTold_InTheStore()
    {
        // Reports that went to an activation that died: only the store has them.
        await _store.AddResultAsync("t", Report(0));
        await _store.AddResultAsync("t", Report(1));
        var log = NewLog();
        log.SetInput(3, complete: true);

        var page = await log.ReadAsync(0, 10, TimeSpan.FromSeconds(5));

        Assert.Equal([0L, 1L], page.Results.Select(r => r.Index));
        Assert.Equal(2, log.Contiguous);
    }

    [Fact]
    public async Task ANewLog_ServesAReaderFromItsCursor_WhenWhatItReadIsForgotten()
    {
        var first = NewLog(keepResults: false);
        first.SetInput(3, complete: true);
        await Finish(first, Report(0));
        await Finish(first, Report(1));
        await Finish(first, Report(2));
        await first.ReadAsync(0, 2, TimeSpan.Zero);
        await first.ReadAsync(2, 1, TimeSpan.Zero);

        // The activation dies before it saves its watermark; the reader comes back at cursor 2.
        var second = NewLog(keepResults: false, contiguous: 0);
        second.SetInput(3, complete: true);
        var page = await second.ReadAsync(2, 10, TimeSpan.FromSeconds(5));

        Assert.Equal([2L], page.Results.Select(r => r.Index));
        Assert.True(page.Finished);
    }

    [Fact]
    public async Task ModuleError_EndsTheReading()
    {
        var log = NewLog();
        log.SetInput(2, complete: true);
        await Finish(log, new JobReport(1, "2", null, "bad.js: SyntaxError (line 1)", JobErrorKind.Module));

        var page = await log.ReadAsync(0, 10, TimeSpan.FromSeconds(5));

        Assert.Equal("bad.js: SyntaxError (line 1)", page.ModuleError);
    }
}
