using GridActors.Grains.Tasks;
using GridActors.Grid;

namespace GridActors.Grains.Tests.Tasks;

/// <summary>Replicas, quorum and adaptive trust, as a task's job records decide them.</summary>
public class ReplicaTests
{
    /// <summary>The jobs of a task whose module exports no compare function (as the task learns from a runner when results first differ).</summary>
    private static TaskJobs Jobs(TaskOptions options, Func<string, bool>? trusted = null, Func<double>? random = null)
    {
        var jobs = new TaskJobs("t", new TaskSpec("hash", "m.js", options), trusted, random);
        jobs.Compared([], [], moduleCompares: false);
        return jobs;
    }

    private static JobOutcome Said(JobTicket ticket, string who, string result) =>
        new(ticket.Index, ticket.Attempt, who, result, null, JobErrorKind.Script, ticket.Replica, who);

    [Fact]
    public void TwoReplicasThatAgree_GiveTheResult_NamingBoth_AndBothEarnAnAgreement()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2 });
        var tickets = jobs.Start(0, "3");
        Assert.Equal([0, 1], tickets.Select(t => t.Replica));
        Assert.All(tickets, t => Assert.Equal("t/0", t.Seed));

        Assert.Empty(jobs.Take([Said(tickets[0], "a", "9")]).Reports);
        var report = Assert.Single(jobs.Take([Said(tickets[1], "b", "9")]).Reports);

        Assert.Equal(("9", null), (report.Result, report.Error));
        Assert.Equal(["a", "b"], report.Volunteers);
        Assert.Equal([("a", true), ("b", true)], jobs.TakeVerdicts());
    }

    [Fact]
    public void AResultEqualInMeaning_Agrees_WhateverTheOrderOfItsKeys()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2 });
        var tickets = jobs.Start(0, "3");

        jobs.Take([Said(tickets[0], "a", """{"x":1,"y":[1,2]}""")]);
        var report = Assert.Single(jobs.Take([Said(tickets[1], "b", """{ "y": [1, 2], "x": 1 }""")]).Reports);

        Assert.Equal("""{"x":1,"y":[1,2]}""", report.Result);
    }

    [Fact]
    public void ALiarAgainstTwoReplicas_LosesToAThirdReplica_OnAnotherVolunteer()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2 });
        var tickets = jobs.Start(0, "3");
        jobs.Take([Said(tickets[0], "honest", "9")]);

        var (reports, extra) = jobs.Take([Said(tickets[1], "liar", "10")]);

        Assert.Empty(reports);
        var third = Assert.Single(extra);
        Assert.Equal(2, third.Replica);
        Assert.Equal(["honest", "liar"], third.Avoid!.Order());
        var report = Assert.Single(jobs.Take([Said(third, "other", "9")]).Reports);
        Assert.Equal("9", report.Result);
        Assert.Equal(["honest", "other"], report.Volunteers);
        Assert.Contains(("liar", false), jobs.TakeVerdicts());
    }

    [Fact]
    public void QuorumTwoOfThree_WithOneLiar_TakesTheTwoThatAgree()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 3, Quorum = 2 });
        var tickets = jobs.Start(0, "3");
        Assert.Equal(3, tickets.Count);

        Assert.Empty(jobs.Take([Said(tickets[0], "liar", "10")]).Reports);
        Assert.Empty(jobs.Take([Said(tickets[1], "a", "9")]).Reports);
        var report = Assert.Single(jobs.Take([Said(tickets[2], "b", "9")]).Reports);

        Assert.Equal("9", report.Result);
    }

    [Fact]
    public void ReplicasThatNeverAgree_FailTheItem_NamingWhoSaidWhat()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2, MaxReplicas = 3 });
        var tickets = jobs.Start(0, "3");
        jobs.Take([Said(tickets[0], "a", "1")]);
        var third = Assert.Single(jobs.Take([Said(tickets[1], "b", "2")]).Retries);

        var report = Assert.Single(jobs.Take([Said(third, "c", "3")]).Reports);

        Assert.Equal(JobErrorKind.Disagreement, report.ErrorKind);
        Assert.Equal("replicas disagree: 1 from a; 2 from b; 3 from c (3 replicas run, 2 must agree)", report.Error);
    }

    [Fact]
    public void OneVolunteerRepeatingItself_DoesNotMakeAQuorum_AgainstAnother()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2, MaxReplicas = 3 });
        var tickets = jobs.Start(0, "3");
        jobs.Take([Said(tickets[0], "honest", "9")]);
        var third = Assert.Single(jobs.Take([Said(tickets[1], "liar", "10")]).Retries);

        // No third volunteer was there, and the liar got the extra replica too.
        var report = Assert.Single(jobs.Take([Said(third, "liar", "10")]).Reports);

        Assert.Equal(JobErrorKind.Disagreement, report.ErrorKind);
    }

    [Fact]
    public void OnAGridOfOneVolunteer_ItsReplicasAgreeWithEachOther()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2 });
        var tickets = jobs.Start(0, "3");
        jobs.Take([Said(tickets[0], "only", "9")]);

        var report = Assert.Single(jobs.Take([Said(tickets[1], "only", "9")]).Reports);

        Assert.Equal("9", report.Result);
        Assert.Empty(jobs.TakeVerdicts());
    }

    [Fact]
    public void AdaptiveTrust_ReplicatesAnUntrustedVolunteersResult_ButNotATrustedOnes()
    {
        var jobs = Jobs(TaskOptions.Default with { Trust = TrustMode.Adaptive }, trusted: who => who == "old-hand", random: () => 0.99);

        var first = Assert.Single(jobs.Start(0, "3"));
        var check = Assert.Single(jobs.Take([Said(first, "newcomer", "9")]).Retries);
        Assert.Equal(["newcomer"], check.Avoid);
        Assert.Single(jobs.Take([Said(check, "old-hand", "9")]).Reports);

        var single = Assert.Single(jobs.Start(1, "4"));
        var report = Assert.Single(jobs.Take([Said(single, "old-hand", "16")]).Reports);
        Assert.Equal("16", report.Result);
    }

    [Fact]
    public void AdaptiveTrust_ChecksATrustedVolunteer_AtRandom_AndItsLieCostsItsTrust()
    {
        var jobs = Jobs(TaskOptions.Default with { Trust = TrustMode.Adaptive, CheckShare = 0.5 }, trusted: who => who == "turncoat", random: () => 0.2);

        var first = Assert.Single(jobs.Start(0, "3"));
        var check = Assert.Single(jobs.Take([Said(first, "turncoat", "10")]).Retries);
        var tieBreak = Assert.Single(jobs.Take([Said(check, "a", "9")]).Retries);
        var report = Assert.Single(jobs.Take([Said(tieBreak, "b", "9")]).Reports);

        Assert.Equal("9", report.Result);
        Assert.Contains(("turncoat", false), jobs.TakeVerdicts());
    }

    [Fact]
    public void AFailedReplicaIsRetried_AndItsRetryAvoidsTheOtherReplicasVolunteer()
    {
        var jobs = Jobs(TaskOptions.Default with { Replicas = 2 });
        var tickets = jobs.Start(0, "3");
        jobs.Placed("va", SiloAddress.FromParsableString("127.0.0.1:11112@1"), "a", [tickets[0].Job]);

        var retry = Assert.Single(jobs.Take([new JobOutcome(0, 1, "vb", null, "timed out", JobErrorKind.Timeout, 1, "b")]).Retries);

        Assert.Equal((1, 2), (retry.Replica, retry.Attempt));
        Assert.Equal(["a"], retry.Avoid);
    }

    [Fact]
    public void ModuleCompare_DecidesResultsThatDifferInTheirJson()
    {
        var jobs = new TaskJobs("t", new TaskSpec("hash", "m.js", TaskOptions.Default with { Replicas = 2 }));
        var tickets = jobs.Start(0, "3");
        jobs.Take([Said(tickets[0], "a", "3.14159")]);

        Assert.Empty(jobs.Take([Said(tickets[1], "b", "3.14158")]).Reports);
        var pair = Assert.Single(jobs.ToCompare);

        var report = Assert.Single(jobs.Compared([pair], [true], moduleCompares: true).Reports);
        Assert.Equal("3.14159", report.Result);
        Assert.Empty(jobs.ToCompare);
    }
}
