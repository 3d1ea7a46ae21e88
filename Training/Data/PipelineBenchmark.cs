using System.Diagnostics;

namespace SphereFace.Training.Data;

/// <summary>Measures how many images per second a <see cref="FaceBatchSource"/> delivers to a consumer that only copies.</summary>
public static class PipelineBenchmark
{
    /// <summary>One measurement.</summary>
    public sealed record Result(int Workers, int BatchSize, int Batches, double Seconds, bool CacheAligned)
    {
        /// <summary>Images delivered per second.</summary>
        public double ImagesPerSecond => Batches * BatchSize / Seconds;
    }

    /// <summary>
    /// Runs <paramref name="batches"/> batches with <paramref name="workers"/> threads after a warm-up (2 batches,
    /// or one whole epoch with <paramref name="cacheAligned"/> so the timed part runs from the cache) and returns the
    /// elapsed time.
    /// </summary>
    public static Result Run(FaceDataset dataset, int workers, int batchSize = 64, int batches = 20, ulong seed = 1, bool cacheAligned = false)
    {
        if (batches < 1) throw new ArgumentException($"batches must be ≥ 1, got {batches}.");
        var options = new FaceBatchSourceOptions { BatchSize = batchSize, Workers = workers, Prefetch = 4, Seed = seed, CacheAligned = cacheAligned, Warn = _ => { } };
        using var source = new FaceBatchSource(dataset, options);
        var data = GC.AllocateArray<float>(batchSize * source.ImageFloats, pinned: true);
        var labels = new long[batchSize];
        int warmup = cacheAligned ? (dataset.Samples.Count + batchSize - 1) / batchSize + 1 : 2;
        for (int i = 0; i < warmup; i++) source.Next(data, labels);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++) source.Next(data, labels);
        return new Result(workers, batchSize, batches, clock.Elapsed.TotalSeconds, cacheAligned);
    }
}
