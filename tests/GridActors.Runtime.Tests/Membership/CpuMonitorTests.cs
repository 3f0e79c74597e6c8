using System.Diagnostics;
using GridActors.Runtime.Membership;
using GridActors.Testing;

namespace GridActors.Runtime.Tests.Membership;

public sealed class CpuMonitorTests
{
    [Fact]
    public void TheSilosOwnProcesses_DoNotCountAsOtherWork()
    {
        // A child that spins one core: counted as other work unless it is named as the silo's own.
        using var spinner = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        try
        {
            var withoutIt = Measure(new CpuMonitor(), spinner.Id, own: false);
            var withIt = Measure(new CpuMonitor(), spinner.Id, own: true);

            // One core of the machine's busy; other noise on a test machine is allowed for.
            Assert.InRange(withoutIt, 100.0 / Environment.ProcessorCount * 0.6, 100);
            Assert.True(withIt < withoutIt - (100.0 / Environment.ProcessorCount * 0.5), $"own spinner counted: {withIt:0.#} % with it named, {withoutIt:0.#} % without");
        }
        finally
        {
            spinner.Kill();
        }
    }

    // Samples once the spinner has used half a second of CPU since the monitor's first reading. The
    // test process is named as its own in both samples: tests running beside this one in it are not
    // the difference being measured.
    private static double Measure(CpuMonitor monitor, int pid, bool own)
    {
        int[] ownProcesses = own ? [pid, Environment.ProcessId] : [Environment.ProcessId];
        monitor.Sample(ownProcesses);
        var start = CpuMonitor.ReadProcess(pid)!.Value;
        var deadline = DateTime.UtcNow + Eventually.Limit;
        while (CpuMonitor.ReadProcess(pid) < start + 50 && DateTime.UtcNow < deadline)
        {
            Thread.Yield();
        }

        return monitor.Sample(ownProcesses);
    }
}
