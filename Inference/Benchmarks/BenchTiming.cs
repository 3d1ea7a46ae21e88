using System.Diagnostics;

namespace SphereFace.Inference.Benchmarks;

/// <summary>Throughput and latency of one benchmarked configuration.</summary>
/// <param name="Name">What ran.</param>
/// <param name="Batch">Faces per call.</param>
/// <param name="ImagesPerSecond">Faces embedded per second over the timed calls.</param>
/// <param name="MedianLatencyMs">Median wall time of one call (one batch).</param>
/// <param name="Calls">Timed calls.</param>
public sealed record BenchResult(string Name, int Batch, double ImagesPerSecond, double MedianLatencyMs, int Calls);

/// <summary>Times repeated calls: warm-up calls first, then calls until a minimum time has passed.</summary>
public static class BenchTiming
{
    /// <summary>
    /// Runs <paramref name="call"/> (which embeds <paramref name="batch"/> faces, given the call number)
    /// <paramref name="warmup"/> times untimed, then at least <paramref name="minCalls"/> times and until
    /// <paramref name="minSeconds"/> have passed.
    /// </summary>
    public static BenchResult Measure(string name, int batch, Action<int> call, double minSeconds, int warmup = 2, int minCalls = 3)
    {
        // Warm up for at least a second as well as `warmup` calls: the first variant measured otherwise pays for
        // the JIT's tier-0 code of the managed alignment/preprocessing loops.
        var warm = Stopwatch.StartNew();
        int done = 0;
        while (done < warmup || warm.Elapsed.TotalSeconds < 1.0) call(done++);
        warmup = done;
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (int i = 0; times.Count < minCalls || total.Elapsed.TotalSeconds < minSeconds; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call(warmup + i);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        total.Stop();
        times.Sort();
        return new BenchResult(name, batch, batch * times.Count / total.Elapsed.TotalSeconds, times[times.Count / 2], times.Count);
    }
}
