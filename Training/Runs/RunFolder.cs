using SphereFace.Graphs.IO;

namespace SphereFace.Training.Runs;

/// <summary>
/// The output folder of a training run: <c>config.json</c>, <c>train.log</c>, <c>metrics.csv</c>,
/// <c>checkpoint.safetensors</c> (the latest checkpoint, replaced atomically) and <c>graph/</c> (the trained graph).
/// </summary>
public sealed class RunFolder
{
    /// <summary>Uses (and creates) <paramref name="path"/>.</summary>
    public RunFolder(string path)
    {
        if (File.Exists(path)) throw new IOException($"Run folder '{path}' is an existing file.");
        Directory.CreateDirectory(path);
        Root = path;
    }

    /// <summary>The folder.</summary>
    public string Root { get; }
    /// <summary>Run configuration.</summary>
    public string ConfigFile => Path.Combine(Root, "config.json");
    /// <summary>Log lines.</summary>
    public string LogFile => Path.Combine(Root, "train.log");
    /// <summary>Metrics, one row per logging interval.</summary>
    public string MetricsFile => Path.Combine(Root, "metrics.csv");
    /// <summary>The training-step graph the run trains (model and manifest; see <see cref="TrainGraph"/>).</summary>
    public string GraphFolder => Path.Combine(Root, TrainGraph.RunSubfolder);
    /// <summary>Latest checkpoint.</summary>
    public string CheckpointFile => Path.Combine(Root, "checkpoint.safetensors");

    /// <summary>Appends a time-stamped line to the log.</summary>
    public void Log(string line) =>
        File.AppendAllText(LogFile, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}{Environment.NewLine}");

    /// <summary>Appends a metrics row, writing the header first when the file is new.</summary>
    public void AppendMetrics(MetricsRow row)
    {
        bool fresh = !File.Exists(MetricsFile) || new FileInfo(MetricsFile).Length == 0;
        File.AppendAllText(MetricsFile, (fresh ? MetricsRow.CsvHeader + "\n" : "") + row.ToCsv() + "\n");
    }

    /// <summary>
    /// Drops metrics rows beyond <paramref name="iteration"/> (written after the checkpoint a run resumes from),
    /// so the resumed run's rows continue the file without duplicates. Rewrites the file atomically.
    /// </summary>
    public void TruncateMetricsAfter(long iteration)
    {
        if (!File.Exists(MetricsFile)) return;
        var lines = File.ReadAllLines(MetricsFile);
        var kept = lines.Where((l, i) => i == 0 || !long.TryParse(l.Split(',')[0], out long it) || it <= iteration).ToArray();
        if (kept.Length != lines.Length) AtomicFile.WriteAllText(MetricsFile, string.Join("\n", kept) + "\n");
    }
}
