using GridActors.Grains.Tasks;
using GridActors.Grid;

namespace GridActors.Grains.Tests.Tasks;

public class TaskJobsTests
{
    private static readonly TaskSpec Spec = new("hash", "square.js", TaskOptions.Default with { MaxAttempts = 3 });
    private static readonly SiloAddress Silo = SiloAddress.FromParsableString("127.0.0.1:11112@1");
    private readonly TaskJobs _jobs = new("t", Spec);

    private static JobOutcome Result(long index, int attempt, string result) => new(index, attempt, "v", result, null, JobErrorKind.Script);

    private static JobOutcome Error(long index, int attempt, JobErrorKind kind, string error = "boom") => new(index, attempt, "v", null, error, kind);

    [Fact]
    public void Start_IssuesTheFirstAttempt_QueuedAtTheScheduler()
    {
        var ticket = Assert.Single(_jobs.Start(4, "7"));

        Assert.Equal(new JobTicket("t", 4, 1, "7", "hash", TimeSpan.FromSeconds(60)), ticket);
        Assert.Equal([new JobAttempt(4, 1)], _jobs.Queued());
        Assert.Empty(_jobs.WithVolunteers());
    }

    [Fact]
    public void Placed_RecordsTheVolunteer_OfTheCurrentAttemptOnly()
    {
        _jobs.Start(0, "1");
        _jobs.Start(1, "2");

        _jobs.Placed("v", Silo, "v", [new JobAttempt(0, 1), new JobAttempt(1, 2)]);

        var (volunteer, silo, jobs) = Assert.Single(_jobs.WithVolunteers());
        Assert.Equal(("v", Silo), (volunteer, silo));
        Assert.Equal([new JobAttempt(0, 1)], jobs);
        Assert.Equal([new JobAttempt(1, 1)], _jobs.Queued());
    }

    [Fact]
    public void AResult_EndsItsJob_WhicheverAttemptItCameFrom()
    {
        _jobs.Start(0, "3");
        _jobs.Take([Error(0, 1, JobErrorKind.Timeout)]);

        var (reports, retries) = _jobs.Take([Result(0, 1, "9")]);

        Assert.Equal([new JobReport(0, "3", "9", null, JobErrorKind.Script)], reports);
        Assert.Empty(retries);
    }

    [Fact]
    public void ATimeout_IsRetried_UpToMaxAttempts_ThenFailsWithItsErrorAndTheCount()
    {
        _jobs.Start(0, "3");

        var first = _jobs.Take([Error(0, 1, JobErrorKind.Timeout, "timed out")]);
        var second = _jobs.Take([Error(0, 2, JobErrorKind.Memory, "out of memory")]);
        var third = _jobs.Take([Error(0, 3, JobErrorKind.Timeout, "timed out")]);

        Assert.Equal((0, 2), (first.Reports.Count, Assert.Single(first.Retries).Attempt));
        Assert.Equal(3, Assert.Single(second.Retries).Attempt);
        Assert.Equal([new JobReport(0, "3", null, "timed out (attempt 3 of 3)", JobErrorKind.Timeout)], third.Reports);
        Assert.Empty(third.Retries);
    }

    [Fact]
    public void AScriptError_FailsAtOnce_WithoutARetry()
    {
        _jobs.Start(0, "3");

        var (reports, retries) = _jobs.Take([Error(0, 1, JobErrorKind.Script, "Error: boom")]);

        Assert.Equal([new JobReport(0, "3", null, "Error: boom", JobErrorKind.Script)], reports);
        Assert.Empty(retries);
    }

    [Fact]
    public void AFailureOfAnAttemptNoLongerCurrent_IsIgnored()
    {
        _jobs.Start(0, "3");
        _jobs.Take([Error(0, 1, JobErrorKind.Timeout)]);

        var (reports, retries) = _jobs.Take([Error(0, 1, JobErrorKind.Script)]);

        Assert.Empty(reports);
        Assert.Empty(retries);
        Assert.Equal([new JobAttempt(0, 2)], _jobs.Queued());
    }

    [Fact]
    public void AJobTheGridLosesAgainAndAgain_IsReissuedEachTime_WithoutUsingUpItsAttempts()
    {
        _jobs.Start(0, "3");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var ticket = Assert.Single(_jobs.Reissue([new JobAttempt(0, attempt)]));
            Assert.Equal(attempt + 1, ticket.Attempt);
        }

        // Its own failures still have all their attempts: two retries, then the third fails it.
        Assert.Single(_jobs.Take([Error(0, 6, JobErrorKind.Timeout)]).Retries);
        Assert.Single(_jobs.Take([Error(0, 7, JobErrorKind.Timeout)]).Retries);
        Assert.Single(_jobs.Take([Error(0, 8, JobErrorKind.Timeout)]).Reports);
    }

    [Fact]
    public void Reissue_SkipsAttemptsNoLongerCurrent_AndJobsEndedMeanwhile()
    {
        _jobs.Start(0, "1");
        _jobs.Start(1, "2");
        _jobs.Take([Error(0, 1, JobErrorKind.Timeout)]);
        _jobs.Take([Error(1, 1, JobErrorKind.Script)]);

        Assert.Empty(_jobs.Reissue([new JobAttempt(0, 1), new JobAttempt(1, 1)]));
    }

    [Fact]
    public void AFinalFailureThatCouldNotBeStored_IsOpenAgain_AsBeforeItsOutcomeCame()
    {
        _jobs.Start(0, "3");
        _jobs.Take([Error(0, 1, JobErrorKind.Timeout)]);
        _jobs.Take([Error(0, 2, JobErrorKind.Timeout)]);
        Assert.Single(_jobs.Take([Error(0, 3, JobErrorKind.Timeout)]).Reports);

        _jobs.Reopen(0);

        // Handed over again, the same outcome ends the job the same way.
        Assert.Equal("boom (attempt 3 of 3)", Assert.Single(_jobs.Take([Error(0, 3, JobErrorKind.Timeout)]).Reports).Error);
    }

    [Fact]
    public void OutcomesOfJobsNotActive_AreIgnored()
    {
        _jobs.Start(0, "3");
        _jobs.Finished(0);

        var (reports, retries) = _jobs.Take([Result(0, 1, "9"), Result(5, 1, "25")]);

        Assert.Empty(reports);
        Assert.Empty(retries);
    }
}
