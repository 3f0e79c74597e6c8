using System.Collections.Concurrent;
using GridActors.Grains.Volunteers;

namespace GridActors.Grains.Browsers;

/// <summary>A browser tab connected to this silo as a volunteer: it runs jobs in its Web Workers.</summary>
public interface IBrowserVolunteer : IJobRunners
{
    /// <summary>Its volunteer grain's key: this silo's address, "/browser/" and an id of its own.</summary>
    string Id { get; }

    /// <summary>The invitation key it connected with.</summary>
    string InvitationKey { get; }

    /// <summary>The browser's user agent.</summary>
    string Agent { get; }

    /// <summary>Who it is to reputation: "browser-", the browser's own id (kept by the browser across tabs and visits), "@" and its invitation key.</summary>
    string Identity { get; }

    /// <summary>Completes when the tab has gone (closed, asleep, off the network, or dropped), after every job it held ended as withdrawn.</summary>
    Task Closed { get; }

    /// <summary>Drops the tab: its connection is closed with <paramref name="reason"/>, and its jobs are withdrawn.</summary>
    void Drop(string reason);
}

/// <summary>The browser tabs connected to this silo, found by their volunteer grains.</summary>
public sealed class BrowserSessions
{
    private readonly ConcurrentDictionary<string, IBrowserVolunteer> _sessions = new(StringComparer.Ordinal);
    private long _jobsDone;

    /// <summary>The tabs connected now.</summary>
    public IReadOnlyCollection<IBrowserVolunteer> All => [.. _sessions.Values];

    /// <summary>Whether a volunteer key names a browser tab rather than a silo's runners.</summary>
    public static bool IsBrowser(string volunteer) => volunteer.Contains(BrowserMark, StringComparison.Ordinal);

    /// <summary>A new volunteer key for a tab connected to <paramref name="silo"/>.</summary>
    public static string NewId(SiloAddress silo) => silo.ToParsableString() + BrowserMark + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The part of a volunteer key that names its silo.</summary>
    public static string SiloPart(string volunteer)
    {
        var mark = volunteer.IndexOf(BrowserMark, StringComparison.Ordinal);
        return mark < 0 ? volunteer : volunteer[..mark];
    }

    private const string BrowserMark = "/browser/";

    /// <summary>Jobs finished by this silo's browsers since the silo started, those of tabs gone included.</summary>
    public long JobsDone => Interlocked.Read(ref _jobsDone);

    /// <summary>Jobs running, jobs queued, and Web Workers, over every tab connected now.</summary>
    public (int Running, int Queued, int Capacity) GetWorkload()
    {
        int running = 0, queued = 0, capacity = 0;
        foreach (var session in _sessions.Values)
        {
            var (r, q, c) = session.GetWorkload();
            running += r;
            queued += q;
            capacity += c;
        }

        return (running, queued, capacity);
    }

    /// <summary>A tab finished a job.</summary>
    public void CountJob() => Interlocked.Increment(ref _jobsDone);

    public void Add(IBrowserVolunteer session) => _sessions[session.Id] = session;

    public void Remove(IBrowserVolunteer session) => _sessions.TryRemove(new KeyValuePair<string, IBrowserVolunteer>(session.Id, session));

    public IBrowserVolunteer? Find(string id) => _sessions.GetValueOrDefault(id);
}
