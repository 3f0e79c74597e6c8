namespace GridActors.Grid;

/// <summary>What a volunteer has done (Pando's monitoring).</summary>
/// <param name="Volunteer">The volunteer id.</param>
/// <param name="Runners">Runner processes (donated CPUs).</param>
/// <param name="Running">Jobs running now.</param>
/// <param name="Queued">Jobs accepted and not started.</param>
/// <param name="ItemsDone">Jobs finished, with a result or an error.</param>
/// <param name="CpuTime">CPU time its runners spent on jobs.</param>
/// <param name="JobTime">The time its jobs took, one by one: mean, standard deviation, least and most, in milliseconds.</param>
/// <param name="Uptime">How long the volunteer has been serving.</param>
/// <param name="Engine">The JavaScript engine its runners run modules in, such as "V8 (ClearScript 7.5.1)" or "Jint 4.18.0"; for a browser, the browser.</param>
/// <param name="Kind">"silo" for a silo's runner processes, "browser" for a browser tab's Web Workers.</param>
/// <param name="Agent">A browser's user agent; empty for a silo.</param>
/// <param name="Invitation">The invitation key a browser connected with; empty for a silo.</param>
/// <param name="Identity">Who the volunteer is to reputation: the silo's name, or a browser's id and invitation key.</param>
/// <param name="Reputation">How its checked results compared with other volunteers'; null until asked.</param>
[GenerateSerializer, Immutable, Alias("grid.volunteer-stats")]
public sealed record VolunteerStats(
    [property: Id(0)] string Volunteer,
    [property: Id(1)] int Runners,
    [property: Id(2)] int Running,
    [property: Id(3)] int Queued,
    [property: Id(4)] long ItemsDone,
    [property: Id(5)] TimeSpan CpuTime,
    [property: Id(6)] Spread JobTime,
    [property: Id(7)] TimeSpan Uptime,
    [property: Id(8)] string Engine = "unknown",
    [property: Id(9)] string Kind = VolunteerStats.SiloKind,
    [property: Id(10)] string Agent = "",
    [property: Id(11)] string Invitation = "",
    [property: Id(12)] string Identity = "",
    [property: Id(13)] Reputation? Reputation = null)
{
    /// <summary>The kind of a silo's runner pool.</summary>
    public const string SiloKind = "silo";

    /// <summary>The kind of a browser tab.</summary>
    public const string BrowserKind = "browser";
}
