using System.Text;
using SphereFace.Graphs.IO;
using SphereFace.Models.IO;
using SphereFace.Alignment.Formats;

namespace SphereFace.Training.Data.Formats;

/// <summary>
/// LFW's <c>pairs.txt</c>: a header <c>folds perFold</c> (tab- or space-separated; a single number means one
/// fold, as in <c>pairsDevTrain.txt</c>), then for each fold <c>perFold</c> matched lines <c>name n1 n2</c>
/// followed by <c>perFold</c> mismatched lines <c>name1 n1 name2 n2</c>. Image numbers are 1-based.
/// </summary>
public static class PairsFile
{
    /// <summary>Reads a pairs file; throws <see cref="InvalidDataException"/> naming the file and line of the first problem.</summary>
    public static IReadOnlyList<PairsFold> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"pairs file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, path);
    }

    /// <summary>Parses a pairs file from <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<PairsFold> Parse(TextReader reader, string source)
    {
        using var lines = TextLines.Meaningful(reader).GetEnumerator();
        if (!lines.MoveNext()) throw new InvalidDataException($"{source}: empty pairs file (expected a header 'folds pairsPerFold').");
        var (headerLine, headerText) = lines.Current;
        var header = TextLines.Fields(headerText);
        int folds, perFold;
        if (header.Length == 1) { folds = 1; perFold = TextLines.ParseInt(header[0], source, headerLine, 1, min: 1); }
        else if (header.Length == 2)
        {
            folds = TextLines.ParseInt(header[0], source, headerLine, 1, min: 1);
            perFold = TextLines.ParseInt(header[1], source, headerLine, 2, min: 1);
        }
        else throw new InvalidDataException($"{source}:{headerLine}: header must be 'folds pairsPerFold', got {header.Length} fields.");

        // The header's counts are checked against the lines actually there; nothing is sized from them up front.
        if ((long)folds * perFold * 2 > int.MaxValue)
            throw new InvalidDataException($"{source}:{headerLine}: header promises {folds} folds × {2L * perFold} pairs, more than any pairs file holds.");
        var result = new List<PairsFold>(Math.Min(folds, 64));
        int lastLine = headerLine;
        for (int f = 0; f < folds; f++)
        {
            var matched = new List<FacePair>(Math.Min(perFold, 4096));
            var mismatched = new List<FacePair>(Math.Min(perFold, 4096));
            for (int i = 0; i < 2 * perFold; i++)
            {
                bool wantMatched = i < perFold;
                if (!lines.MoveNext())
                    throw new InvalidDataException(
                        $"{source}:{lastLine}: file ends early; header promises {folds} folds × {2 * perFold} pairs, found only {f * 2 * perFold + i}.");
                var (number, text) = lines.Current;
                lastLine = number;
                var fields = TextLines.Fields(text);
                if (wantMatched)
                {
                    if (fields.Length != 3)
                        throw new InvalidDataException($"{source}:{number}: fold {f + 1} expects a matched pair 'name n1 n2' here, got {fields.Length} fields.");
                    matched.Add(new FacePair(fields[0], TextLines.ParseInt(fields[1], source, number, 2, 1), fields[0], TextLines.ParseInt(fields[2], source, number, 3, 1)));
                }
                else
                {
                    if (fields.Length != 4)
                        throw new InvalidDataException($"{source}:{number}: fold {f + 1} expects a mismatched pair 'name1 n1 name2 n2' here, got {fields.Length} fields.");
                    var pair = new FacePair(fields[0], TextLines.ParseInt(fields[1], source, number, 2, 1), fields[2], TextLines.ParseInt(fields[3], source, number, 4, 1));
                    if (pair.Same) throw new InvalidDataException($"{source}:{number}: mismatched pair names the same identity '{pair.Name1}' twice.");
                    mismatched.Add(pair);
                }
            }
            result.Add(new PairsFold(matched, mismatched));
        }
        if (lines.MoveNext())
            throw new InvalidDataException($"{source}:{lines.Current.Number}: extra line after the {folds} × {2 * perFold} pairs the header promises.");
        return result;
    }

    /// <summary>Writes folds (all with the same matched and mismatched count) atomically in LFW's tab-separated form.</summary>
    public static void Write(string path, IReadOnlyList<PairsFold> folds) => AtomicFile.WriteAllText(path, Format(folds));

    /// <summary>The text form of <paramref name="folds"/>.</summary>
    public static string Format(IReadOnlyList<PairsFold> folds)
    {
        if (folds.Count == 0) throw new ArgumentException("a pairs file needs at least one fold.");
        int perFold = folds[0].Matched.Count;
        var sb = new StringBuilder().Append(folds.Count).Append('\t').Append(perFold).Append('\n');
        foreach (var fold in folds)
        {
            if (fold.Matched.Count != perFold || fold.Mismatched.Count != perFold)
                throw new ArgumentException($"every fold needs {perFold} matched and {perFold} mismatched pairs, got {fold.Matched.Count} and {fold.Mismatched.Count}.");
            foreach (var p in fold.Matched)
            {
                if (!p.Same) throw new ArgumentException($"matched pair names two identities: {p.Name1}, {p.Name2}.");
                sb.Append(p.Name1).Append('\t').Append(p.Number1).Append('\t').Append(p.Number2).Append('\n');
            }
            foreach (var p in fold.Mismatched)
            {
                if (p.Same) throw new ArgumentException($"mismatched pair names one identity: {p.Name1}.");
                sb.Append(p.Name1).Append('\t').Append(p.Number1).Append('\t').Append(p.Name2).Append('\t').Append(p.Number2).Append('\n');
            }
        }
        return sb.ToString();
    }
}
