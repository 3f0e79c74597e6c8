using System.Globalization;

namespace GridActors.Grid;

/// <summary>Names a task's jobs in messages and logs.</summary>
public static class JobKeys
{
    /// <summary>"taskId/index".</summary>
    public static string Of(string taskId, long index) => string.Concat(taskId, "/", index.ToString(CultureInfo.InvariantCulture));
}
