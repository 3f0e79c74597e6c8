using GridActors.Grains.Runners;
using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Grains.Tests;

public class VolunteerServiceTests : IAsyncLifetime
{
    private readonly Collaborators _mocks = new();
    private readonly Signal _announced = new();
    private readonly IClusterMembership _membership = Substitute.For<IClusterMembership>();
    private readonly SiloAddress _other = new("10.0.0.4", 11111, 5);
    private TestSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _mocks.Scheduler.When(s => s.RequestWorkAsync(Arg.Is<WorkRequest>(r => r.Absolute))).Do(_ => _announced.Raise());
        _membership.Members.Returns([Member(SiloStatus.Active)]);
        _silo = await TestSilo.StartAsync(services =>
        {
            services.AddSingleton(_mocks);
            services.AddSingleton(_membership);
            services.AddSingleton<VolunteerWatch>();
            services.AddSingleton<RunnerPool>();
            services.AddSingleton<VolunteerService>();
            services.AddGrain<ForwardingScheduler>();
            services.AddSerializerContext(GrainsJsonContext.Default);
            services.AddOptions<RunnerOptions>().Configure(o => o.Runners = 2);

            // The periodic announcement is out of the picture: only a death can make the volunteer speak again.
            services.AddOptions<GridOptions>().Configure(o => o.VolunteerAnnouncePeriod = TimeSpan.FromHours(1));
        });
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private MembershipEntry Member(SiloStatus status) =>
        new(_other, "d", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None);

    [Fact]
    public async Task WhenASiloIsDeclaredDead_TheVolunteerAnnouncesItselfAtOnce_ForANewSchedulerActivation()
    {
        var volunteer = _silo.Services.GetRequiredService<VolunteerService>();
        await volunteer.StartAsync();
        await _announced.WaitAsync();

        // The silo that died may have held the scheduler; its next activation must learn this volunteer's free runners.
        _membership.Members.Returns([Member(SiloStatus.Dead)]);
        _membership.Changed += Raise.Event<Action>();

        await _announced.WaitAsync();
        await _mocks.Scheduler.Received(2).RequestWorkAsync(Arg.Is<WorkRequest>(r => r.Absolute && r.Volunteer == volunteer.Id && r.Credits == 4));
    }
}
