using System.Threading.Channels;

namespace GridActors.Cli.Submission;

/// <summary>
/// The items of a run: those on the command line, then, with --stdin, one per line of standard input,
/// read as a stream. The channel is bounded, so an endless input is read only as fast as results
/// come back (back-pressure, not buffering).
/// </summary>
internal static class ItemSource
{
    public static ChannelReader<string> Start(IReadOnlyList<string> arguments, TextReader? stdin, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
        _ = Task.Run(async () =>
        {
            try
            {
                foreach (var argument in arguments)
                {
                    await channel.Writer.WriteAsync(Items.ToJson(argument), cancellationToken);
                }

                if (stdin is not null)
                {
                    while (await stdin.ReadLineAsync(cancellationToken) is { } line)
                    {
                        await channel.Writer.WriteAsync(Items.ToJson(line), cancellationToken);
                    }
                }

                channel.Writer.Complete();
            }
            catch (Exception exception)
            {
                channel.Writer.Complete(exception);
            }
        }, cancellationToken);
        return channel.Reader;
    }
}
