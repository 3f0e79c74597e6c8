using System.Text.Json;

namespace GridActors.Cli.Submission;

/// <summary>
/// Items as the user typed them become JSON values by Pando's rule: text that is valid JSON is taken
/// as that value (1 is a number, "x" a string, [1,2] an array), anything else as a string.
/// </summary>
internal static class Items
{
    public static string ToJson(string text)
    {
        if (text.Length > 0 && IsJson(text))
        {
            return text.Trim();
        }

        return JsonSerializer.Serialize(text, CliJsonContext.Default.String);
    }

    /// <summary>How an item or result reads in a message or on stdout: strings raw, other values as compact JSON.</summary>
    public static string Display(string json) =>
        json.Length > 0 && json[0] == '"' ? JsonSerializer.Deserialize(json, CliJsonContext.Default.String) ?? string.Empty : json;

    private static bool IsJson(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
