using System.Text.Json;

namespace SphereFace.Training.Bench;

/// <summary>Kernel time of one op type summed over a profiled run.</summary>
public sealed record OpTime(string OpType, int Nodes, double MillisecondsPerStep, double Share);

/// <summary>Aggregates an ONNX Runtime profiling JSON (SessionOptions.EnableProfiling) by op type.</summary>
public static class OpProfile
{
    /// <summary>
    /// Reads <paramref name="path"/> and returns op types by descending kernel time per step (the file covers
    /// <paramref name="steps"/> runs). Only "Node" events named "…_kernel_time" count; other events are ignored.
    /// </summary>
    public static IReadOnlyList<OpTime> Summarise(string path, int steps)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var byOp = new Dictionary<string, (double Us, HashSet<string> Nodes)>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString() ?? "";
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            string op = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "?" : "?";
            double dur = e.GetProperty("dur").GetDouble();
            if (!byOp.TryGetValue(op, out var acc)) acc = (0, new HashSet<string>(StringComparer.Ordinal));
            acc.Nodes.Add(name);
            byOp[op] = (acc.Us + dur, acc.Nodes);
        }
        double total = byOp.Values.Sum(v => v.Us);
        return byOp.Select(kv => new OpTime(kv.Key, kv.Value.Nodes.Count, kv.Value.Us / 1000.0 / Math.Max(1, steps), total > 0 ? kv.Value.Us / total : 0))
            .OrderByDescending(t => t.MillisecondsPerStep).ToList();
    }

    /// <summary>Per-node kernel time (ms per step) of the slowest <paramref name="top"/> nodes.</summary>
    public static IReadOnlyList<(string Node, string OpType, double MillisecondsPerStep)> SlowestNodes(string path, int steps, int top)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var byNode = new Dictionary<string, (string Op, double Us)>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString() ?? "";
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            string op = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "?" : "?";
            byNode[name] = (op, byNode.GetValueOrDefault(name).Us + e.GetProperty("dur").GetDouble());
        }
        return byNode.OrderByDescending(kv => kv.Value.Us).Take(top)
            .Select(kv => (kv.Key[..^"_kernel_time".Length], kv.Value.Op, kv.Value.Us / 1000.0 / Math.Max(1, steps))).ToList();
    }
}
