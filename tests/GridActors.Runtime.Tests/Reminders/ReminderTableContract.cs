using GridActors.Runtime.Redis;
using GridActors.Runtime.Reminders;
using GridActors.Runtime.Tests.Redis;
using GridActors.Testing;

namespace GridActors.Runtime.Tests.Reminders;

/// <summary>What every reminder table must do; run against each provider.</summary>
public abstract class ReminderTableContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected abstract IReminderTable Table { get; }

    [Fact]
    public async Task Upsert_ThenRead_ReturnsTheRowWithItsETag()
    {
        var entry = Entry("t/1", 5);

        var etag = await Table.UpsertAsync(entry);

        Assert.Equal(entry with { ETag = etag }, await Table.ReadAsync(entry.GrainId, "lease"));
        Assert.Null(await Table.ReadAsync(entry.GrainId, "other"));
    }

    [Fact]
    public async Task ReadDue_ReturnsOnlyTheBucketsAsked_EarliestFirst_UpToTheLimit()
    {
        var entries = Enumerable.Range(0, 60).Select(i => Entry($"t/{i}", i)).ToArray();
        foreach (var entry in entries)
        {
            await Table.UpsertAsync(entry);
        }

        var lowHalf = await Table.ReadDueAsync(0, uint.MaxValue / 2, Start.AddSeconds(100), 1000);
        var firstFive = await Table.ReadDueAsync(0, uint.MaxValue, Start.AddSeconds(100), 5);
        var dueByTen = await Table.ReadDueAsync(0, uint.MaxValue, Start.AddSeconds(10), 1000);

        Assert.Equal(entries.Where(e => e.Bucket <= uint.MaxValue / 2).Select(e => e.GrainId), lowHalf.Select(r => r.GrainId));
        Assert.Equal(entries.Take(5).Select(e => e.GrainId), firstFive.Select(r => r.GrainId));
        Assert.Equal(11, dueByTen.Count);
    }

    [Fact]
    public async Task Advance_WithAStaleETag_IsRefused()
    {
        var entry = Entry("t/1", 0);
        var etag = await Table.UpsertAsync(entry);
        var current = entry with { ETag = etag };

        var moved = await Table.AdvanceAsync(current, Start.AddSeconds(10));

        Assert.NotNull(moved);
        Assert.Null(await Table.AdvanceAsync(current, Start.AddSeconds(20)));
        Assert.Equal(Start.AddSeconds(10), (await Table.ReadAsync(entry.GrainId, "lease"))!.NextDue);
        Assert.Empty(await Table.ReadDueAsync(0, uint.MaxValue, Start.AddSeconds(9), 10));
    }

    [Fact]
    public async Task Remove_WithTheWrongETag_IsRefused_AndWithoutOne_Removes()
    {
        var entry = Entry("t/1", 0);
        await Table.UpsertAsync(entry);

        Assert.False(await Table.RemoveAsync(entry.GrainId, "lease", "stale"));
        Assert.True(await Table.RemoveAsync(entry.GrainId, "lease", eTag: null));
        Assert.False(await Table.RemoveAsync(entry.GrainId, "lease", eTag: null));

        Assert.Empty(await Table.ReadDueAsync(0, uint.MaxValue, Start.AddSeconds(100), 10));
    }

    private static ReminderEntry Entry(string key, int dueSeconds) =>
        new(new GrainId("job", key), "lease", Start, TimeSpan.FromSeconds(10), Start.AddSeconds(dueSeconds), string.Empty);
}

public sealed class InMemoryReminderTableTests : ReminderTableContract
{
    protected override IReminderTable Table { get; } = new InMemoryReminderTable();
}

[Collection(RedisCollection.Name)]
public sealed class RedisReminderTableTests(RedisServer redis) : ReminderTableContract
{
    protected override IReminderTable Table { get; } = new RedisReminderTable(RedisCollection.Connect(redis));
}
