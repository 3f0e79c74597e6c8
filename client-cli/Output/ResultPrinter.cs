using System.Text;
using System.Text.Json;
using GridActors.Cli.Submission;
using GridActors.Grid;

namespace GridActors.Cli.Output;

/// <summary>
/// Writes results to stdout in input order, one line per item: strings raw, other values as compact
/// JSON, or with --json one object per line. A failed item prints nothing on stdout and
/// "grid: item N (ITEM): ERROR" on stderr.
/// </summary>
internal sealed class ResultPrinter(TextWriter stdout, TextWriter stderr, bool json)
{
    private const int MaxItemInMessage = 60;

    public long Printed { get; private set; }

    public long Failed { get; private set; }

    public void Print(JobReport report)
    {
        Printed++;
        if (json)
        {
            stdout.WriteLine(ToJsonLine(report));
        }
        else if (report.Error is null)
        {
            stdout.WriteLine(Items.Display(report.Result ?? "null"));
        }

        if (report.Error is not null)
        {
            Failed++;
            stderr.WriteLine($"grid: item {report.Index} ({Shorten(Items.Display(report.Item))}): {report.Error}");
        }
    }

    public void Flush() => stdout.Flush();

    internal static string ToJsonLine(JobReport report)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", report.Index);
            writer.WritePropertyName("item");
            writer.WriteRawValue(report.Item, skipInputValidation: true);
            if (report.Error is null)
            {
                writer.WritePropertyName("result");
                writer.WriteRawValue(report.Result ?? "null", skipInputValidation: true);
            }
            else
            {
                writer.WriteString("error", report.Error);
            }

            if (report.Volunteers is { Count: > 0 } volunteers)
            {
                // A checked task: who vouched for the result.
                writer.WriteStartArray("volunteers");
                foreach (var volunteer in volunteers)
                {
                    writer.WriteStringValue(volunteer);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Shorten(string text) =>
        text.Length <= MaxItemInMessage ? text : string.Concat(text.AsSpan(0, MaxItemInMessage - 1), "…");
}
