using System.Text.Json;
using SphereFace.Graphs.IO;

namespace SphereFace.Benchmarks.Embedding;

/// <summary>
/// Runs <c>torch_embed_peer.py</c> (PyTorch executing the same <c>embedding.onnx</c>, weights from its
/// initializers, on ready tensors, eager and TorchScript-frozen) with Debian's <c>/usr/bin/python3</c>, in its own process.
/// </summary>
public static class TorchPeer
{
    /// <summary>The script next to the assembly.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "peers", "torch_embed_peer.py");

    /// <summary>
    /// Measures the batch sizes; throws <see cref="InvalidOperationException"/> with the script's error output when
    /// Python, torch or the script is unavailable or fails.
    /// </summary>
    public static IReadOnlyList<BenchResult> Measure(string model, int threads, double seconds, IReadOnlyList<int> batches)
    {
        if (!File.Exists(ScriptPath)) throw new InvalidOperationException($"The PyTorch peer script is missing at {ScriptPath}.");
        string output = DebianPython.Run(new[] { ScriptPath, model, threads.ToString(System.Globalization.CultureInfo.InvariantCulture), seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Concat(batches.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var r = doc.RootElement;
            return new BenchResult(r.GetProperty("name").GetString() ?? "pytorch", r.GetProperty("batch").GetInt32(), r.GetProperty("images_per_s").GetDouble(),
                r.GetProperty("median_ms").GetDouble(), r.GetProperty("calls").GetInt32());
        }).ToList();
    }
}
