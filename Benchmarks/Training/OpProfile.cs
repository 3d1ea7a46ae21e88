using System.Text.Json;

namespace SphereFace.Benchmarks.Training;

/// <summary>Kernel time of one op type summed over a profiled run.</summary>
public sealed record OpTime(string OpType, int Nodes, double MillisecondsPerStep, double Share);

/// <summary>One node's kernel run in an ONNX Runtime profile: node name, op type, microseconds, and the event's args.</summary>
public sealed record KernelEvent(string Node, string OpType, double Microseconds, JsonElement Args);

/// <summary>Aggregates an ONNX Runtime profiling JSON (SessionOptions.EnableProfiling) by op type.</summary>
public static class OpProfile
{
    /// <summary>
    /// The kernel runs recorded in <paramref name="path"/>: "Node" events named "…_kernel_time" (the node name is
    /// returned without that suffix); other events are skipped, and so are the first <paramref name="warmupRuns"/>
    /// runs of every node (the first run of a session also creates kernels' primitives and touches fresh memory).
    /// </summary>
    public static IReadOnlyList<KernelEvent> KernelEvents(string path, int warmupRuns = 0)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var events = new List<KernelEvent>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString() ?? "";
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            var args = e.TryGetProperty("args", out var a) ? a.Clone() : default;
            string op = args.ValueKind == JsonValueKind.Object && args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "?" : "?";
            string node = name[..^"_kernel_time".Length];
            int run = seen.GetValueOrDefault(node);
            seen[node] = run + 1;
            if (run < warmupRuns) continue;
            events.Add(new KernelEvent(node, op, e.GetProperty("dur").GetDouble(), args));
        }
        return events;
    }

    /// <summary>
    /// Reads <paramref name="path"/> and returns op types by descending kernel time per step (the file covers
    /// <paramref name="steps"/> runs after <paramref name="warmupRuns"/> skipped ones).
    /// </summary>
    public static IReadOnlyList<OpTime> Summarise(string path, int steps, int warmupRuns = 0)
    {
        var events = KernelEvents(path, warmupRuns);
        double total = events.Sum(e => e.Microseconds);
        return events.GroupBy(e => e.OpType)
            .Select(g => new OpTime(g.Key, g.Select(e => e.Node).Distinct().Count(), g.Sum(e => e.Microseconds) / 1000.0 / Math.Max(1, steps),
                total > 0 ? g.Sum(e => e.Microseconds) / total : 0))
            .OrderByDescending(t => t.MillisecondsPerStep).ToList();
    }

    /// <summary>Per-node kernel time (ms per step) of the slowest <paramref name="top"/> nodes.</summary>
    public static IReadOnlyList<(string Node, string OpType, double MillisecondsPerStep)> SlowestNodes(string path, int steps, int top, int warmupRuns = 0) =>
        KernelEvents(path, warmupRuns).GroupBy(e => e.Node)
            .Select(g => (g.Key, g.First().OpType, g.Sum(e => e.Microseconds) / 1000.0 / Math.Max(1, steps)))
            .OrderByDescending(t => t.Item3).Take(top).ToList();
}
