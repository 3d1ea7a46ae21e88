using SphereFace.Graphs.IO;
using SphereFace.Models.IO;

namespace SphereFace.Training.Runs;

/// <summary>
/// The output folder of a training run: <c>config.json</c>, <c>train.log</c>, <c>metrics.csv</c>,
/// <c>checkpoint.safetensors</c> (the latest checkpoint, replaced atomically) and <c>graph/</c> (the trained graph).
/// </summary>
public sealed class RunFolder
{
    /// <summary>
    /// Uses (and creates) <paramref name="path"/>, deleting the temporaries a killed run left in it
    /// (<see cref="RemovedTemporaries"/>).
    /// </summary>
    public RunFolder(string path)
    {
        if (File.Exists(path)) throw new IOException($"Run folder '{path}' is an existing file.");
        Directory.CreateDirectory(path);
        Root = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        RemovedTemporaries = AtomicFile.RemoveStale(Root);
    }

    private RunFolder(string root, bool _)
    {
        Root = root;
        RemovedTemporaries = [];
    }

    /// <summary>
    /// Names the files of the run folder <paramref name="path"/> without creating or changing anything: what the ranks
    /// other than 0 of a data-parallel run hold (they read a checkpoint to resume, rank 0 alone writes).
    /// </summary>
    public static RunFolder Named(string path) => new(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar), false);

    /// <summary>Temporary files of interrupted writes that opening the folder deleted.</summary>
    public IReadOnlyList<string> RemovedTemporaries { get; }

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

    private readonly Lock _log = new();

    /// <summary>Appends a time-stamped line to the log (safe from the data workers' threads).</summary>
    public void Log(string line)
    {
        lock (_log) File.AppendAllText(LogFile, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}{Environment.NewLine}");
    }

    /// <summary>Appends a metrics row, writing the header first when the file is new.</summary>
    public void AppendMetrics(MetricsRow row)
    {
        bool fresh = !File.Exists(MetricsFile) || new FileInfo(MetricsFile).Length == 0;
        File.AppendAllText(MetricsFile, (fresh ? MetricsRow.CsvHeader + "\n" : "") + row.ToCsv() + "\n");
    }

    /// <summary>
    /// A new run in a folder whose earlier run saved no checkpoint: that run's metrics rows describe nothing that can be
    /// resumed, so the file starts anew rather than holding two runs' rows. True when there was such a file.
    /// </summary>
    public bool StartMetricsAnew()
    {
        if (!File.Exists(MetricsFile)) return false;
        File.Delete(MetricsFile);
        return true;
    }

    /// <summary>
    /// Refuses to resume a run from <paramref name="own"/> (the checkpoint's folder) into <paramref name="target"/>
    /// when the target is another folder that is not empty: a run folder belongs to one run.
    /// </summary>
    /// <exception cref="IOException">The target holds files (another run's, or anything else).</exception>
    public static void EnsureResumableInto(string target, string own)
    {
        if (Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(own).TrimEnd(Path.DirectorySeparatorChar)) return;
        if (File.Exists(target)) throw new IOException($"Run folder '{target}' is an existing file.");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new IOException($"'{target}' is not empty{(File.Exists(Path.Combine(target, "checkpoint.safetensors")) ? " (it holds another run)" : "")}; " +
                                  $"a resumed run continues in its own folder '{own}' or in a new or empty one.");
    }

    /// <summary>
    /// Prepares this folder to continue the run of <paramref name="source"/> after <paramref name="iteration"/>: in the
    /// same folder, metrics rows written after the checkpoint are dropped; in a new folder, the source's rows up to
    /// the checkpoint are copied first, so the metrics of the continued run are complete.
    /// </summary>
    public void ContinueFrom(RunFolder source, long iteration)
    {
        if (source.Root != Root && File.Exists(source.MetricsFile) && !File.Exists(MetricsFile))
            File.Copy(source.MetricsFile, MetricsFile);
        TruncateMetricsAfter(iteration);
        if (source.Root != Root) Log($"continues the run of {source.Root} from iteration {iteration}");
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
