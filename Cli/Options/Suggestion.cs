using System.CommandLine;

namespace SphereFace.Cli.Options;

/// <summary>"Did you mean …?" for a mistyped verb or flag: the closest name by edit distance, when it is close.</summary>
internal static class Suggestion
{
    /// <summary>
    /// The hint for the first token of <paramref name="unmatched"/> that is close to a verb of <paramref name="command"/>
    /// (when it is the root) or to one of its flags: " (did you mean 'eval'?)", or "" when nothing is close.
    /// </summary>
    public static string For(Command command, IEnumerable<string> unmatched)
    {
        var names = command is RootCommand
            ? command.Subcommands.Select(c => c.Name)
            : command.Options.SelectMany(o => o.Aliases.Append(o.Name));
        var candidates = names.Distinct().ToArray();
        foreach (string token in unmatched)
        {
            string typed = token.Split('=')[0];
            var best = candidates.Select(n => (Name: n, Distance: Distance(typed, n))).OrderBy(c => c.Distance).FirstOrDefault();
            if (best.Name is not null && best.Distance <= Math.Max(1, typed.Length / 3)) return $" (did you mean '{best.Name}'?)";
        }
        return "";
    }

    // Levenshtein distance, two rows.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
