using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GridActors.Cli;

/// <summary>
/// Items are free text, so a mistyped flag would otherwise run as an item. A token before "--" that
/// looks like an option and is not a number (negative numbers are items) is reported as unknown.
/// </summary>
internal static class UnknownOptions
{
    public static IEnumerable<string> Find(ParseResult parsed)
    {
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                yield break;
            }

            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-'
                && !double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                yield return $"unknown option '{token.Value}'. To run an item that starts with '-', put it after '--': grid run MODULE -- {token.Value}";
            }
        }
    }
}
