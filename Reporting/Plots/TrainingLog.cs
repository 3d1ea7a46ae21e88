using System.Globalization;

namespace SphereFace.Reporting.Plots;

/// <summary>
/// A training run's CSV log: a header naming the columns (at least <c>iteration</c>, <c>loss</c> and
/// <c>accuracy</c>; <c>lr</c>, <c>lambda</c>, <c>images_per_s</c> and others are kept if present) and one row per
/// logged iteration. Values are invariant-culture numbers; "nan" is NaN.
/// </summary>
public sealed class TrainingLog
{
    private readonly Dictionary<string, double[]> _columns;

    private TrainingLog(Dictionary<string, double[]> columns) => _columns = columns;

    /// <summary>Column names in file order.</summary>
    public IReadOnlyCollection<string> Columns => _columns.Keys;

    /// <summary>Logged rows.</summary>
    public int Rows => _columns["iteration"].Length;

    /// <summary>The values of column <paramref name="name"/>; throws naming the available columns otherwise.</summary>
    public double[] this[string name] => _columns.TryGetValue(name, out var c) ? c
        : throw new KeyNotFoundException($"The training log has no column '{name}' (columns: {string.Join(", ", _columns.Keys)}).");

    /// <summary>Whether column <paramref name="name"/> exists.</summary>
    public bool Has(string name) => _columns.ContainsKey(name);

    /// <summary>Reads and checks a CSV log; errors name the file and line.</summary>
    public static TrainingLog Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Training log '{path}' does not exist.", path);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || string.IsNullOrWhiteSpace(lines[0])) throw new InvalidDataException($"{path}: empty file; expected a CSV header.");
        var names = lines[0].Split(',').Select(s => s.Trim().ToLowerInvariant()).ToArray();
        foreach (var required in new[] { "iteration", "loss", "accuracy" })
            if (!names.Contains(required))
                throw new InvalidDataException($"{path}: header '{lines[0]}' lacks the column '{required}' (expected iteration,loss,accuracy,lr,lambda,images_per_s).");
        if (names.Distinct().Count() != names.Length) throw new InvalidDataException($"{path}: header '{lines[0]}' repeats a column.");
        var values = names.Select(_ => new List<double>()).ToArray();
        for (int li = 1; li < lines.Length; li++)
        {
            if (string.IsNullOrWhiteSpace(lines[li])) continue;
            var cells = lines[li].Split(',');
            if (cells.Length != names.Length)
                throw new InvalidDataException($"{path}:{li + 1}: {cells.Length} values, the header has {names.Length}.");
            for (int c = 0; c < cells.Length; c++)
            {
                string cell = cells[c].Trim();
                if (cell.Equals("nan", StringComparison.OrdinalIgnoreCase)) { values[c].Add(double.NaN); continue; }
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new InvalidDataException($"{path}:{li + 1}: '{cell}' in column '{names[c]}' is not a number.");
                // Training writes float32 figures: a finite value beyond float's range did not come from a run (and
                // would overflow the plot's axis span); an infinite one (a diverged loss) is drawn as a gap, like NaN.
                if (double.IsFinite(v) && Math.Abs(v) > float.MaxValue)
                    throw new InvalidDataException($"{path}:{li + 1}: {cell} in column '{names[c]}' is beyond the float32 range a training log holds.");
                values[c].Add(double.IsFinite(v) ? v : double.NaN);
            }
        }
        if (values[0].Count == 0) throw new InvalidDataException($"{path}: no data rows after the header.");
        return new TrainingLog(names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => values[p.i].ToArray()));
    }
}
