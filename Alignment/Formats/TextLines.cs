namespace SphereFace.Alignment.Formats;

/// <summary>Line reading shared by the text formats: 1-based line numbers, blank lines and '#' comments skipped.</summary>
public static class TextLines
{
    /// <summary>Yields (line number, trimmed text) for every non-blank, non-comment line.</summary>
    public static IEnumerable<(int Number, string Text)> Meaningful(TextReader reader)
    {
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var text = line.Trim();
            if (number == 1) text = text.TrimStart('\uFEFF');
            if (text.Length == 0 || text.StartsWith('#')) continue;
            yield return (number, text);
        }
    }

    /// <summary>Splits on runs of spaces/tabs.</summary>
    public static string[] Fields(string text) => text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Invariant-culture float parse with a located error.</summary>
    public static float ParseFloat(string field, string source, int line, int column)
    {
        if (float.TryParse(field, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && float.IsFinite(v))
            return v;
        throw new InvalidDataException($"{source}:{line}: field {column} '{field}' is not a finite number.");
    }

    /// <summary>Invariant-culture integer parse with a located error.</summary>
    public static int ParseInt(string field, string source, int line, int column, int min = int.MinValue)
    {
        if (int.TryParse(field, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) && v >= min)
            return v;
        throw new InvalidDataException($"{source}:{line}: field {column} '{field}' is not an integer ≥ {min}.");
    }

    /// <summary>Normalises a relative path to '/' separators without a leading "./".</summary>
    public static string NormalisePath(string path)
    {
        var p = path.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        return p;
    }
}
