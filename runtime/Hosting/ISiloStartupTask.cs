namespace GridActors.Runtime;

/// <summary>Work that runs once the silo has joined the cluster, such as starting its volunteer.</summary>
public interface ISiloStartupTask
{
    /// <summary>Runs the task.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Runs as the silo leaves, before its grains are deactivated.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
