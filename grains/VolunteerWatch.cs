using GridActors.Grid;
using GridActors.Runtime;

namespace GridActors.Grains;

/// <summary>
/// Which jobs activated on this silo are with which volunteer, so that when a volunteer's silo is
/// declared Dead its jobs are reissued at once, not at their next lease check (up to
/// <see cref="GridOptions.LeaseCheckPeriod"/> later). It also knows which jobs are queued at the
/// scheduler: when any silo is newly declared Dead, each of them checks its lease at once, since the
/// silo may have held the scheduler and its queue (a scheduler still alive answers that it holds
/// them, and nothing changes). It reads this silo's view of the membership table, which is
/// refreshed every second (and looks at once when it changes, once started), and tells <see cref="SiloDied"/> of each new death (the volunteer
/// announces itself then, for the scheduler's next activation). The lease check stays the fallback:
/// a job whose own silo died is not watched by anyone until its reminder brings it back.
/// </summary>
internal sealed class VolunteerWatch(IClusterMembership membership, IGrainFactory grains, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, int>> _jobsByVolunteer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _queued = new(StringComparer.Ordinal);
    private HashSet<string>? _dead;
    private ITimer? _timer;
    private bool _listening;

    /// <summary>Raised on the watch's timer when the membership view shows a silo newly Dead.</summary>
    public event Action? SiloDied;

    /// <summary>
    /// Starts looking, whatever is watched (the silo's volunteer listens for deaths): at once whenever
    /// this silo's view of the table changes, and every second besides.
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            if (!_listening)
            {
                membership.Changed += () => Check();
                _listening = true;
            }

            StartChecking();
        }

        // The first look learns who is Dead already, so that a death from now on is news.
        Check();
    }

    /// <summary>Attempt <paramref name="attempt"/> of job <paramref name="jobKey"/> is with <paramref name="volunteer"/>.</summary>
    public void Watch(string volunteer, string jobKey, int attempt)
    {
        lock (_lock)
        {
            if (!_jobsByVolunteer.TryGetValue(volunteer, out var jobs))
            {
                jobs = new Dictionary<string, int>(StringComparer.Ordinal);
                _jobsByVolunteer[volunteer] = jobs;
            }

            jobs[jobKey] = attempt;
            StartChecking();
        }
    }

    /// <summary>Attempt <paramref name="attempt"/> of job <paramref name="jobKey"/> is queued at the scheduler.</summary>
    public void WatchQueued(string jobKey, int attempt)
    {
        lock (_lock)
        {
            _queued[jobKey] = attempt;
            StartChecking();
        }
    }

    /// <summary>The job is no longer queued at the scheduler.</summary>
    public void UnwatchQueued(string jobKey)
    {
        lock (_lock)
        {
            _queued.Remove(jobKey);
        }
    }

    /// <summary>The job is no longer with <paramref name="volunteer"/>.</summary>
    public void Unwatch(string volunteer, string jobKey)
    {
        lock (_lock)
        {
            if (_jobsByVolunteer.TryGetValue(volunteer, out var jobs) && jobs.Remove(jobKey) && jobs.Count == 0)
            {
                _jobsByVolunteer.Remove(volunteer);
            }
        }
    }

    /// <summary>
    /// Reissues the jobs of volunteers whose silos the membership view shows Dead, and has the queued
    /// jobs check their lease when a silo has died since the last look. Returns how many jobs it told.
    /// </summary>
    internal int Check()
    {
        var dead = membership.Members.Where(m => m.Status == SiloStatus.Dead).Select(m => m.Address.ToString()).ToHashSet(StringComparer.Ordinal);
        List<(string Volunteer, Dictionary<string, int> Jobs)> lost = [];
        List<KeyValuePair<string, int>> queued = [];
        bool died;
        lock (_lock)
        {
            foreach (var volunteer in _jobsByVolunteer.Keys.Where(dead.Contains).ToList())
            {
                lost.Add((volunteer, _jobsByVolunteer[volunteer]));
                _jobsByVolunteer.Remove(volunteer);
            }

            // The first look only learns who is Dead already: those deaths came before these jobs were queued.
            died = _dead is not null && !dead.IsSubsetOf(_dead);
            if (died)
            {
                queued.AddRange(_queued);
            }

            _dead = dead;
        }

        if (died)
        {
            SiloDied?.Invoke();
        }

        foreach (var (jobKey, attempt) in queued)
        {
            _ = grains.GetGrain<IJobGrain>(jobKey).SchedulerMayBeLostAsync(attempt);
        }

        var count = queued.Count;
        foreach (var (volunteer, jobs) in lost)
        {
            foreach (var (jobKey, attempt) in jobs)
            {
                _ = grains.GetGrain<IJobGrain>(jobKey).VolunteerLostAsync(volunteer, attempt);
                count++;
            }
        }

        return count;
    }

    private void StartChecking() =>
        _timer ??= time.CreateTimer(static s => ((VolunteerWatch)s!).Check(), this, CheckPeriod, CheckPeriod);

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
        }
    }
}
