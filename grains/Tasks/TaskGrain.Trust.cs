using GridActors.Grid;
using Microsoft.Extensions.Logging;

namespace GridActors.Grains.Tasks;

/// <summary>
/// A task that checks its results: the reputations of the volunteers that ran its replicas (asked
/// before adaptive trust decides, and told each verdict), and the module's compare function, run in a
/// silo's runner when two results differ in their JSON.
/// </summary>
internal sealed partial class TaskGrain
{
    private bool IsTrusted(string identity) =>
        _reputations.TryGetValue(identity, out var reputation) && reputation.IsTrusted(state.State.Spec!.Options.TrustAfter);

    /// <summary>Asks the reputation of each volunteer the task has not heard of yet; one that cannot be asked counts as not trusted.</summary>
    private async Task LearnReputationsAsync(IEnumerable<string> identities)
    {
        var unknown = identities.Where(i => i.Length > 0 && !_reputations.ContainsKey(i)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var asked = await Task.WhenAll(unknown.Select(async identity =>
        {
            try
            {
                return await GrainFactory.GetGrain<IReputationGrain>(identity).GetAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogReputationFailed(logger, TaskId, identity, exception.Message);
                return null;
            }
        }));
        foreach (var reputation in asked.OfType<Reputation>())
        {
            _reputations[reputation.Identity] = reputation;
        }
    }

    /// <summary>Tells each volunteer's reputation the verdicts reached on its results, without waiting; the answer updates what the task knows.</summary>
    private void RecordVerdicts()
    {
        foreach (var verdicts in Jobs.TakeVerdicts().GroupBy(v => v.Identity, StringComparer.Ordinal))
        {
            _ = RecordAsync(verdicts.Key, [.. verdicts.Select(v => v.Agreed)]);
        }

        async Task RecordAsync(string identity, List<bool> verdicts)
        {
            try
            {
                _reputations[identity] = await GrainFactory.GetGrain<IReputationGrain>(identity).RecordAsync(verdicts);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A lost verdict changes one count by one; the task's results do not depend on it.
                LogReputationFailed(logger, TaskId, identity, exception.Message);
            }
        }
    }

    /// <summary>
    /// Has pairs of differing results judged by the module's compare function, outside this turn: in a
    /// runner of this silo, or of another silo when this one runs no jobs. The answer comes back as a
    /// call of the task to itself, so it is taken in a turn of its own.
    /// </summary>
    private void StartComparing()
    {
        if (_comparing || Jobs.ToCompare.Count == 0)
        {
            return;
        }

        _comparing = true;
        var pairs = Jobs.ToCompare.ToList();
        _ = CompareAsync(pairs);
    }

    private async Task CompareAsync(List<(string A, string B)> pairs)
    {
        var spec = state.State.Spec!;

        // Null: the module exports no compare function, or no silo could run it; the results are then compared as JSON.
        IReadOnlyList<bool>? agree = null;
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)
            .OrderBy(s => s.Equals(silo.SiloAddress) ? 0 : 1).ToList();
        foreach (var candidate in silos)
        {
            try
            {
                agree = await GrainFactory.GetGrain<IVolunteerGrain>(candidate.ToParsableString())
                    .CompareAsync(TaskId, spec.ModuleHash, [.. pairs.Select(p => $"[{p.A},{p.B}]")]);
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogCompareFailed(logger, TaskId, candidate.ToParsableString(), exception.Message);
            }
        }

        try
        {
            await this.AsReference<ITaskGrain>().ComparedAsync([.. pairs.Select(p => p.A)], [.. pairs.Select(p => p.B)], agree);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCompareFailed(logger, TaskId, "the task itself", exception.Message);
        }
    }

    [LoggerMessage(EventId = 550, Level = LogLevel.Warning, Message = "Task {Task}: the reputation of {Volunteer} could not be read or told: {Reason}")]
    private static partial void LogReputationFailed(ILogger logger, string task, string volunteer, string reason);

    [LoggerMessage(EventId = 551, Level = LogLevel.Warning, Message = "Task {Task}: the module's compare function could not run on {Volunteer}: {Reason}")]
    private static partial void LogCompareFailed(ILogger logger, string task, string volunteer, string reason);
}
