using GridActors.Runtime.Membership;
using GridActors.Runtime.Redis;
using GridActors.Runtime.Tests.Redis;
using GridActors.Testing;

namespace GridActors.Runtime.Tests.Membership;

/// <summary>What every membership table must do; run against each provider.</summary>
public abstract class MembershipTableContract
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected abstract IMembershipTable Table { get; }

    [Fact]
    public async Task InsertRow_WithAStaleVersion_IsRefused()
    {
        var start = await Table.ReadAllAsync();

        Assert.True(await Table.InsertRowAsync(Entry("a"), start.Version.Next()));
        Assert.False(await Table.InsertRowAsync(Entry("b"), start.Version.Next()));

        var data = await Table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        AssertSame(Entry("a"), data.Entries.Single().Entry);
    }

    [Fact]
    public async Task InsertRow_OfASiloAlreadyThere_IsRefused()
    {
        await Table.InsertRowAsync(Entry("a"), (await Table.ReadAllAsync()).Version.Next());

        Assert.False(await Table.InsertRowAsync(Entry("a"), (await Table.ReadAllAsync()).Version.Next()));
    }

    [Fact]
    public async Task UpdateRow_NeedsTheRowsETagAndTheTableVersion()
    {
        await Table.InsertRowAsync(Entry("a"), (await Table.ReadAllAsync()).Version.Next());
        var data = await Table.ReadAllAsync();
        var etag = data.Entries[0].ETag;
        var dead = Entry("a") with { Status = SiloStatus.Dead };

        Assert.False(await Table.UpdateRowAsync(dead, "stale", data.Version.Next()));
        Assert.False(await Table.UpdateRowAsync(dead, etag, data.Version));
        Assert.True(await Table.UpdateRowAsync(dead, etag, data.Version.Next()));
        Assert.False(await Table.UpdateRowAsync(dead, etag, data.Version.Next().Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(SiloStatus.Dead, after.Entries.Single().Entry.Status);
        Assert.NotEqual(etag, after.Entries.Single().ETag);
    }

    [Fact]
    public async Task UpdateIAmAlive_PublishesLoad_AndLeavesTheVersionAndETagAlone()
    {
        await Table.InsertRowAsync(Entry("a"), (await Table.ReadAllAsync()).Version.Next());
        var before = await Table.ReadAllAsync();
        var load = new SiloLoad(12.5, 1000, 1, 2, 4, 50);

        await Table.UpdateIAmAliveAsync(Entry("a").Address, Now.AddSeconds(3), load);

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Entries[0].ETag, after.Entries[0].ETag);
        AssertSame(Entry("a") with { IAmAliveTime = Now.AddSeconds(3), Load = load }, after.Entries[0].Entry);
    }

    [Fact]
    public async Task RowWrites_AreAnnounced_InOrder_WithTheirVersion_AndIAmAliveIsNot()
    {
        var feed = Assert.IsAssignableFrom<IMembershipChangeFeed>(Table);
        var versions = new List<int>();
        var second = new TaskCompletionSource();
        var subscription = await feed.SubscribeAsync(version =>
        {
            lock (versions)
            {
                versions.Add(version);
            }

            if (version == 2)
            {
                second.TrySetResult();
            }
        });

        await Table.InsertRowAsync(Entry("a"), (await Table.ReadAllAsync()).Version.Next());
        await Table.UpdateIAmAliveAsync(Entry("a").Address, Now.AddSeconds(1), SiloLoad.None);
        Assert.False(await Table.InsertRowAsync(Entry("b"), (await Table.ReadAllAsync()).Version));
        var data = await Table.ReadAllAsync();
        await Table.UpdateRowAsync(Entry("a") with { Status = SiloStatus.Dead }, data.Entries[0].ETag, data.Version.Next());
        await Eventually.Within(second.Task);

        // Notices come in the order of the writes, so had IAmAlive or the refused insert been announced,
        // it would be in the list before version 2.
        lock (versions)
        {
            Assert.Equal([1, 2], versions);
        }

        await subscription.DisposeAsync();
    }

    // Suspicions are a list, which a record compares by reference: compare them by content.
    private static void AssertSame(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.Suspicions, actual.Suspicions);
        Assert.Equal(expected, actual with { Suspicions = expected.Suspicions });
    }

    private static MembershipEntry Entry(string host) =>
        new(new SiloAddress(host, 11111, 1), host, SiloStatus.Active, Now, Now, [new Suspicion(new SiloAddress("z", 1, 1), Now)], SiloLoad.None);
}

public sealed class InMemoryMembershipTableTests : MembershipTableContract
{
    protected override IMembershipTable Table { get; } = new InMemoryMembershipTable();
}

[Collection(RedisCollection.Name)]
public sealed class RedisMembershipTableTests(RedisServer redis) : MembershipTableContract
{
    protected override IMembershipTable Table { get; } = new RedisMembershipTable(RedisCollection.Connect(redis));
}
