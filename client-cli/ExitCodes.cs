namespace GridActors.Cli;

/// <summary>The exit codes of `grid`, as `grid --help` documents them.</summary>
internal static class ExitCodes
{
    /// <summary>Every item succeeded.</summary>
    public const int Success = 0;

    /// <summary>Some items failed, or the module cannot run.</summary>
    public const int ItemsFailed = 1;

    /// <summary>The command line or its input is wrong.</summary>
    public const int Usage = 2;

    /// <summary>The grid cannot be reached, refused the secret, or failed inside (not in the module).</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Interrupted = 130;

    /// <summary>Standard output was closed by its reader (as in `grid run ... | head`).</summary>
    public const int BrokenPipe = 141;
}
