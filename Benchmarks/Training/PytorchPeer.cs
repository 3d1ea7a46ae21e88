using System.Text.Json;
using SphereFace.Graphs.IO;

namespace SphereFace.Benchmarks.Training;

/// <summary>Result of the PyTorch peer script.</summary>
public sealed record PeerResult(double ImagesPerSecond, double SecondsPerStep, double PeakRssMiB, string TorchVersion, string MemoryFormat);

/// <summary>Runs <c>peers/torch_train_peer.py</c> (shipped next to the assembly) with Debian's python3 and python3-torch.</summary>
public static class PytorchPeer
{
    /// <summary>Path of the peer script next to the running assembly.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "peers", "torch_train_peer.py");

    /// <summary>Runs the peer in its own process; throws <see cref="InvalidOperationException"/> with its stderr when it fails.</summary>
    /// <param name="depth">SphereFace depth (4 … 64).</param>
    /// <param name="batch">Images per step.</param>
    /// <param name="classes">Classifier width.</param>
    /// <param name="threads">PyTorch threads.</param>
    /// <param name="warmup">Untimed steps.</param>
    /// <param name="steps">Timed steps.</param>
    /// <param name="memoryFormat"><c>nchw</c> or <c>channels_last</c> (eager PyTorch either way).</param>
    public static PeerResult Run(int depth, int batch, int classes, int threads, int warmup, int steps, string memoryFormat = "nchw")
    {
        if (!File.Exists(ScriptPath)) throw new FileNotFoundException($"PyTorch peer script '{ScriptPath}' is missing (it is copied next to the build output).");
        string output = DebianPython.Run(
            [ScriptPath, "--depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture), "--classes", classes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--warmup", warmup.ToString(System.Globalization.CultureInfo.InvariantCulture), "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory-format", memoryFormat],
            new Dictionary<string, string> { ["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        string line = output.Trim().Split('\n').Last();
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        return new PeerResult(r.GetProperty("images_per_s").GetDouble(), r.GetProperty("seconds_per_step").GetDouble(),
            r.GetProperty("peak_rss_mib").GetDouble(), r.GetProperty("torch").GetString() ?? "?", memoryFormat);
    }
}
