using System.Text;
using SphereFace.Graphs.IO;
using SphereFace.Models.IO;
using SphereFace.Alignment.Formats;

namespace SphereFace.Training.Data.Formats;

/// <summary>A list of identity (folder) names, one per line; used for train/test identity splits.</summary>
public static class IdentityListFile
{
    /// <summary>Reads the names; throws <see cref="InvalidDataException"/> with the line number of a name containing whitespace or '/', or of a duplicate.</summary>
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"identity list '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, path);
    }

    /// <summary>Parses identity names from <paramref name="reader"/>.</summary>
    public static IReadOnlyList<string> Parse(TextReader reader, string source)
    {
        var names = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (number, text) in TextLines.Meaningful(reader))
        {
            if (text.Any(char.IsWhiteSpace) || text.Contains('/'))
                throw new InvalidDataException($"{source}:{number}: '{text}' is not an identity folder name (no spaces or '/').");
            if (seen.TryGetValue(text, out int first))
                throw new InvalidDataException($"{source}:{number}: identity '{text}' listed twice (first on line {first}).");
            seen[text] = number;
            names.Add(text);
        }
        return names;
    }

    /// <summary>Writes the names atomically, one per line.</summary>
    public static void Write(string path, IEnumerable<string> names) =>
        AtomicFile.WriteAllText(path, string.Concat(names.Select(n => n + "\n")));
}
