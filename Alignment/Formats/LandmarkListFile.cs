using System.Globalization;
using System.Text;
using OpenCvSharp;
using SphereFace.Models.IO;

namespace SphereFace.Alignment.Formats;

/// <summary>
/// Reads and writes landmark lists: one image per line.
/// <list type="bullet">
/// <item>Plain text: <c>relative/path.jpg x1 y1 x2 y2 x3 y3 x4 y4 x5 y5</c> (spaces or tabs), optionally with an
/// integer class label after the path (<c>path label x1 … y5</c>, as in SphereFace's CASIA-WebFace list; the label
/// is ignored because identities come from folder names).</item>
/// <item>CSV with a header row (detected by a comma in the first line): first column the path, then the ten
/// coordinates in the same order (e.g. CelebA's <c>image_id,lefteye_x,lefteye_y,…,rightmouth_y</c>).</item>
/// </list>
/// Points are interleaved x, y in the order left eye, right eye, nose, left mouth corner, right mouth corner
/// ("left" = image left). Blank lines and lines starting with '#' are ignored.
/// </summary>
public static class LandmarkListFile
{
    /// <summary>Reads a landmark list; throws <see cref="InvalidDataException"/> naming the file and line of the first malformed line or duplicate path.</summary>
    public static IReadOnlyList<LandmarkEntry> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"landmark list '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, path);
    }

    /// <summary>Parses a landmark list from <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<LandmarkEntry> Parse(TextReader reader, string source)
    {
        var entries = new List<LandmarkEntry>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        bool? csv = null;
        foreach (var (number, text) in TextLines.Meaningful(reader))
        {
            if (csv is null)
            {
                csv = text.Contains(',');
                if (csv.Value)
                {
                    var header = text.Split(',');
                    if (header.Length != 11)
                        throw new InvalidDataException($"{source}:{number}: CSV header must have 11 columns (path then x1,y1,…,x5,y5), got {header.Length}.");
                    continue;
                }
            }
            string[] fields = csv.Value ? text.Split(',').Select(f => f.Trim()).ToArray() : TextLines.Fields(text);
            int first = fields.Length switch
            {
                11 => 1,
                12 when !csv.Value => 2,
                _ => throw new InvalidDataException(
                    $"{source}:{number}: expected a path and 10 coordinates (x1 y1 … x5 y5){(csv.Value ? "" : ", optionally with a label after the path")}, got a path and {fields.Length - 1} value{(fields.Length == 2 ? "" : "s")}."),
            };
            if (first == 2) TextLines.ParseInt(fields[1], source, number, 2, min: 0);
            var points = new Point2f[5];
            for (int i = 0; i < 5; i++)
                points[i] = new Point2f(
                    TextLines.ParseFloat(fields[first + 2 * i], source, number, first + 2 * i + 1),
                    TextLines.ParseFloat(fields[first + 2 * i + 1], source, number, first + 2 * i + 2));
            string rel = TextLines.NormalisePath(fields[0]);
            if (firstLine.TryGetValue(rel, out int previous))
                throw new InvalidDataException($"{source}:{number}: duplicate landmarks for '{rel}' (first given on line {previous}).");
            firstLine[rel] = number;
            entries.Add(new LandmarkEntry(rel, points));
        }
        return entries;
    }

    /// <summary>Writes the plain-text form atomically (coordinates with up to 3 decimals, invariant culture).</summary>
    public static void Write(string path, IEnumerable<LandmarkEntry> entries) => AtomicFile.WriteAllText(path, Format(entries));

    /// <summary>The plain-text form of <paramref name="entries"/>.</summary>
    public static string Format(IEnumerable<LandmarkEntry> entries)
    {
        var sb = new StringBuilder();
        foreach (var e in entries)
        {
            if (e.Points.Length != 5) throw new ArgumentException($"'{e.RelativePath}' has {e.Points.Length} landmarks, expected 5.");
            if (e.RelativePath.Any(char.IsWhiteSpace)) throw new ArgumentException($"'{e.RelativePath}': paths in a landmark list cannot contain whitespace.");
            sb.Append(e.RelativePath);
            foreach (var p in e.Points)
                sb.Append(' ').Append(p.X.ToString("0.###", CultureInfo.InvariantCulture))
                  .Append(' ').Append(p.Y.ToString("0.###", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
