using System.CommandLine;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Cli.Commands;

/// <summary><c>stats</c>: dataset statistics (identities, images, per-identity histogram) and, on request, input-pipeline throughput.</summary>
internal static class StatsCommand
{
    private static readonly bool[] CacheModes = [false, true];
    private static readonly int[] WorkerCounts = [1, 2];

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "a synthetic-set folder (images/, landmarks.txt, *_identities.txt) or an image folder per identity", Required = true };
        var split = new Option<string>("--split") { Description = "all, train or test (train/test need a set layout)", DefaultValueFactory = _ => "all" };
        var landmarks = new Option<string?>("--landmarks") { Description = "landmark list (default: the set's landmarks.txt; none = already aligned images)" };
        var skipMissing = new Option<bool>("--skip-missing-landmarks") { Description = "leave out images the landmark list does not mention (default: error listing them)" };
        var bench = new Option<bool>("--bench") { Description = "also measure images/s the input pipeline delivers with 1 and 2 worker threads" };
        var batch = new Option<int>("--batch") { Description = "batch size for --bench", DefaultValueFactory = _ => 64 };
        var batches = new Option<int>("--bench-batches") { Description = "timed batches per measurement", DefaultValueFactory = _ => 20 };
        var probe = new Option<bool>("--probe-pairs") { Description = "10-fold verification accuracy on the set's pairs.txt of raw aligned pixels (and of --model's embeddings)" };
        var model = new Option<string?>("--model") { Description = "embedding.onnx to probe with --probe-pairs (e.g. an untrained net from build-graph)" };
        var cmd = new Command("stats", "Print dataset statistics; with --bench, the input pipeline's throughput.")
        {
            data, split, landmarks, skipMissing, bench, batch, batches, probe, model,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var dataset = DataFolder.Open(p.GetValue(data)!, p.GetValue(split)!, p.GetValue(landmarks),
                p.GetValue(skipMissing) ? MissingLandmarks.Skip : MissingLandmarks.Error);
            Console.Write(DatasetStatistics.Of(dataset).Describe());
            Console.WriteLine(dataset.HasLandmarks ? "landmarks: every image (aligned on the fly)" : "landmarks: none (images taken as aligned 96×112)");
            if (dataset.SkippedWithoutLandmarks > 0) Console.WriteLine($"left out without landmarks: {dataset.SkippedWithoutLandmarks}");
            if (p.GetValue(bench))
            {
                int b = p.GetValue(batch), n = p.GetValue(batches);
                if (b < 1 || n < 1) throw new Models.Errors.InputException("--batch and --bench-batches must be ≥ 1.");
                Console.WriteLine($"input pipeline (decode + align + flip + normalise), batch {b}, {n} timed batches, {Environment.ProcessorCount} cores:");
                foreach (bool cache in CacheModes)
                    foreach (int workers in WorkerCounts)
                    {
                        var r = PipelineBenchmark.Run(dataset, workers, b, n, cacheAligned: cache);
                        Console.WriteLine($"  {(cache ? "cached crops" : "from files  ")}, {workers} worker{(workers > 1 ? "s" : " ")}: {r.ImagesPerSecond,8:0} images/s ({1000.0 * r.Seconds / (r.Batches * r.BatchSize):0.000} ms/image)");
                    }
            }
            if (p.GetValue(probe))
            {
                string dir = p.GetValue(data)!;
                static Inference.Evaluation.MeanStd TenFold(IReadOnlyList<VerificationProbe.ScoredPair> pairs) => Inference.Evaluation.FoldAccuracy.Of(
                    pairs.Select(q => (float)q.Score).ToArray(), pairs.Select(q => q.Same).ToArray(), pairs.Select(q => q.Fold).ToArray());
                var (pm, ps) = TenFold(VerificationProbe.Score(dir));
                Console.WriteLine($"pairs probe, raw aligned pixels: {100 * pm:0.00}% ± {100 * ps:0.00} (10-fold)");
                if (p.GetValue(model) is { } onnx)
                {
                    // ONNX Runtime's own kernels, as for any model: the probe measures the set, not the kernels.
                    using var embedder = new Inference.Embedder(onnx, new Inference.EmbedderOptions { Kernels = Models.Native.Kernels.Standard });
                    var (em, es) = TenFold(VerificationProbe.Score(dir, tensors => Embed(embedder, tensors)));
                    Console.WriteLine($"pairs probe, {Path.GetFileName(onnx)} embeddings: {100 * em:0.00}% ± {100 * es:0.00} (10-fold)");
                }
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The tensors embedded in batches of 32 through <paramref name="embedder"/> (whose contract checks their size).</summary>
    private static float[][] Embed(Inference.Embedder embedder, IReadOnlyList<float[]> tensors)
    {
        var result = new float[tensors.Count][];
        int length = embedder.TensorLength, dimension = embedder.Dimension;
        for (int start = 0; start < tensors.Count; start += 32)
        {
            int n = Math.Min(32, tensors.Count - start);
            var batch = new float[n * length];
            for (int i = 0; i < n; i++) tensors[start + i].CopyTo(batch, i * length);
            var output = new float[n * dimension];
            embedder.EmbedTensors(batch, n, output);
            for (int i = 0; i < n; i++) result[start + i] = output.AsSpan(i * dimension, dimension).ToArray();
        }
        return result;
    }
}
