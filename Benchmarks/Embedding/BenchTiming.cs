using System.Diagnostics;

namespace SphereFace.Benchmarks.Embedding;

/// <summary>Throughput and latency of one benchmarked configuration.</summary>
/// <param name="Name">What ran.</param>
/// <param name="Batch">Faces per call.</param>
/// <param name="ImagesPerSecond">Faces embedded per second over the timed calls.</param>
/// <param name="MedianLatencyMs">Median wall time of one call (one batch).</param>
/// <param name="Calls">Timed calls.</param>
public sealed record BenchResult(string Name, int Batch, double ImagesPerSecond, double MedianLatencyMs, int Calls);

/// <summary>One configuration to time: <c>Call(k)</c> embeds <c>Batch</c> faces on its k-th call.</summary>
public sealed record BenchCase(string Name, int Batch, Action<int> Call);

/// <summary>Times repeated calls of several configurations side by side.</summary>
public static class BenchTiming
{
    /// <summary>
    /// Times <paramref name="cases"/> in <paramref name="rounds"/> interleaved rounds (case 1, case 2, …, case 1, …),
    /// each case running for <paramref name="minSeconds"/>/<paramref name="rounds"/> per round, so that load changes
    /// during the run hit every case alike. Every case is warmed up for a second first (tier-0 JIT code of the managed
    /// loops, lazy allocations), and the first call of each round is not timed: it pays for the previous case's
    /// worker threads still spinning on the same cores.
    /// </summary>
    public static IReadOnlyList<BenchResult> MeasureInterleaved(IReadOnlyList<BenchCase> cases, double minSeconds, int rounds = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var calls = new int[cases.Count];
        foreach (var (c, k) in cases.Select((c, k) => (c, k)))
            for (var warm = Stopwatch.StartNew(); calls[k] < 2 || warm.Elapsed.TotalSeconds < 1.0;) c.Call(calls[k]++);
        var times = cases.Select(_ => new List<double>()).ToArray();
        var timed = new double[cases.Count];
        double slice = minSeconds / rounds;
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < cases.Count; k++)
            {
                cases[k].Call(calls[k]++);
                var round = Stopwatch.StartNew();
                int before = times[k].Count;
                while (times[k].Count - before < 2 || round.Elapsed.TotalSeconds < slice)
                {
                    long start = Stopwatch.GetTimestamp();
                    cases[k].Call(calls[k]++);
                    times[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                timed[k] += round.Elapsed.TotalSeconds;
            }
        return cases.Select((c, k) =>
        {
            var sorted = times[k].Order().ToArray();
            return new BenchResult(c.Name, c.Batch, c.Batch * sorted.Length / timed[k], sorted[sorted.Length / 2], sorted.Length);
        }).ToList();
    }
}
