using SphereFace.Models;
using System.CommandLine;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using Spectre.Console;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Inference;
using SphereFace.Benchmarks.Embedding;
using SphereFace.Benchmarks.Machine;
using SphereFace.Models.Native;
using SphereFace.Inference.GraphRewrites;
using SphereFace.Models.IO;
using SphereFace.Models.Onnx;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>bench embed</c>: embeddings per second from decoded photos, alignment and preprocessing included, with the
/// <see cref="Embedder"/> (ONNX Runtime) and with OpenCV DNN running the same <c>embedding.onnx</c>.
/// </summary>
internal static class BenchEmbedCommand
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The net an embedding model says it is (metadata <c>sphereface.net</c>).</summary>
    private static SphereNetConfig NetOf(string modelPath)
    {
        var proto = ModelFile.Load(modelPath);
        string name = proto.MetadataProps.FirstOrDefault(e => e.Key == InputContract.Prefix + "net")?.Value
            ?? throw new InvalidDataException($"{modelPath}: no '{InputContract.Prefix}net' metadata; not a SphereFace embedding model.");
        return SphereNetConfig.Parse(name);
    }

    /// <summary>ONNX Runtime session variants compared with <c>--variants</c>.</summary>
    private static readonly (string Name, Func<int, EmbedderOptions> Options)[] Variants =
    [
        ("ort default", t => new EmbedderOptions { IntraOpThreads = t }),
        ("ort onednn direct", t => new EmbedderOptions { IntraOpThreads = t, Kernels = Kernels.OneDnnDirect }),
        ("ort own kernels", t => new EmbedderOptions { IntraOpThreads = t, Kernels = Kernels.Standard }),
        ("ort own kernels prelu-kept", t => new EmbedderOptions { IntraOpThreads = t, Kernels = Kernels.Standard, BlockedLayoutPRelu = false }),
        ("ort own kernels no-spinning", t => new EmbedderOptions { IntraOpThreads = t, Kernels = Kernels.Standard, AllowSpinning = false }),
    ];

    public static Command Create()
    {
        var net = new Option<string>("--net") { Description = "sphere4 … sphere64 (random weights)", DefaultValueFactory = _ => "sphere20" };
        var batch = new Option<int[]>("--batch") { Description = "faces per call; repeat for several (default: 1 and 32)", AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int>("--threads") { Description = "threads for ONNX Runtime and OpenCV", DefaultValueFactory = _ => 2 };
        var seconds = new Option<double>("--seconds") { Description = "minimum timed seconds per configuration and batch size", DefaultValueFactory = _ => 4.0 };
        var rounds = new Option<int>("--rounds") { Description = "interleaved rounds the timed seconds are split into (configurations alternate)", DefaultValueFactory = _ => 4 };
        var variants = new Option<bool>("--variants") { Description = "also time ONNX Runtime session-option variants" };
        var torch = new Option<bool>("--torch") { Description = "also time PyTorch (/usr/bin/python3) running the same graph on ready tensors" };
        var profile = new Option<bool>("--profile") { Description = "profile the Embedder (and the int8 one) at the largest batch and print the time per op type (which kernels ran)" };
        var int8File = new Option<string?>("--int8") { Description = "also time this int8 model (from quantize) of the same net, interleaved with the float32 one" };
        var modelFile = new Option<string?>("--model") { Description = "time this embedding.onnx (a trained or imported model) instead of random weights of --net" };
        var outDir = new Option<string>("--out") { Description = "folder for the model and results JSON", DefaultValueFactory = _ => "artifacts/bench/embed" };
        var cmd = new Command("embed", "Embeddings/s from decoded photos (alignment + preprocessing + network): ONNX Runtime vs OpenCV DNN.")
        {
            net, modelFile, int8File, profile, batch, threads, seconds, rounds, variants, torch, outDir,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string? given = p.GetValue(modelFile);
            var config = given is null ? SphereNetConfig.Parse(p.GetValue(net)!) : NetOf(given);
            int[] batches = p.GetValue(batch) is { Length: > 0 } b ? b : [1, 32];
            if (batches.Any(x => x < 1 || x > 1024)) throw new Models.Errors.InputException($"--batch values must be in 1…1024, got {string.Join(", ", batches)}.");
            int t = p.GetValue(threads);
            if (t < 1) throw new Models.Errors.InputException($"--threads must be ≥ 1, got {t}.");
            double minSeconds = p.GetValue(seconds);
            if (!(minSeconds > 0)) throw new Models.Errors.InputException($"--seconds must be > 0, got {minSeconds}.");
            if (p.GetValue(rounds) < 1) throw new Models.Errors.InputException($"--rounds must be ≥ 1, got {p.GetValue(rounds)}.");
            string dir = Path.Combine(p.GetValue(outDir)!, config.Name);
            GraphFolder.EnsureWritable(dir);
            string model = given is null ? Path.Combine(dir, "embedding.onnx") : Path.GetFullPath(given);
            if (given is null) ModelFile.Save(EmbeddingGraph.Build(config, new ParameterStore(1)), model);
            Cv2.SetNumThreads(t);
            // With --variants OpenCV DNN also runs the graph as the Embedder rewrites it, so a gain from the rewrite
            // shows whether it belongs to ONNX Runtime's blocked layout or to the graph itself.
            string? rewrittenModel = null;
            if (p.GetValue(variants))
            {
                var rewritten = ModelFile.Load(model);
                PReluAsBlockedOps.Apply(rewritten);
                rewrittenModel = Path.Combine(dir, "embedding-blocked-prelu.onnx");
                ModelFile.Save(rewritten, rewrittenModel);
            }

            int roundCount = p.GetValue(rounds);
            bool withTorch = p.GetValue(torch);
            Console.WriteLine(MachineDescription.Line());
            var perRound = new List<BenchResult>();
            using var photos = new BenchPhotos(Math.Max(64, batches.Max()), seed: 7);
            var chosen = p.GetValue(variants) ? Variants : Variants.Take(1).ToArray();
            // Rounds: every ONNX Runtime / OpenCV configuration interleaved, then the PyTorch peer in its own process
            // with nothing else alive; medians over the rounds are compared.
            for (int round = 0; round < roundCount; round++)
            {
                foreach (int n in batches)
                {
                    AnsiConsole.MarkupLine($"[grey]round {round + 1}/{roundCount}: {config.Name}, batch {n}, {t} threads…[/]");
                    perRound.AddRange(MeasureInProcess(model, config, n, t, minSeconds / roundCount, photos, chosen, rewrittenModel, round == 0 && n == batches[0], p.GetValue(int8File)));
                }
                if (withTorch)
                {
                    AnsiConsole.MarkupLine($"[grey]round {round + 1}/{roundCount}: PyTorch peer…[/]");
                    perRound.AddRange(TorchPeer.Measure(model, t, minSeconds / roundCount, batches));
                }
            }
            var results = Combine(perRound);
            Print(config.Name, t, results);
            PrintRatiosAndPeak(config, t, results);
            string json = Path.Combine(dir, "bench-embed.json");
            AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new { net = config.Name, threads = t, rounds = roundCount, results, per_round = perRound },
                Indented));
            Console.WriteLine($"results → {json}");
            if (p.GetValue(profile))
            {
                Profile(model, "float32", batches.Max(), t, dir);
                if (p.GetValue(int8File) is { } q) Profile(q, "int8", batches.Max(), t, dir);
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>One round of the in-process configurations at batch <paramref name="n"/>, timed interleaved; all disposed after.</summary>
    private static IReadOnlyList<BenchResult> MeasureInProcess(string model, SphereNetConfig config, int n, int t, double seconds, BenchPhotos photos,
        (string Name, Func<int, EmbedderOptions> Options)[] chosen, string? rewrittenModel, bool describe, string? int8Model = null)
    {
        var owned = new List<IDisposable>();
        try
        {
            var cases = new List<BenchCase>();
            foreach (var (name, options) in chosen)
            {
                var embedder = new Embedder(model, options(t));
                owned.Add(embedder);
                var output = new float[n * embedder.Dimension];
                cases.Add(new(name, n, i => embedder.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), output)));
            }
            var cvBuffer = new float[n * config.EmbeddingSize];
            // The network alone on ready tensors: how much of the time alignment and preprocessing take.
            var bare = new Embedder(model, Variants[0].Options(t));
            owned.Add(bare);
            if (describe)
            {
                AnsiConsole.MarkupLine($"[grey]the Embedder runs {bare.FusedConvs} convolutions as fused oneDNN kernels (kernels: {Markup.Escape(bare.KernelChoice.ToString())})[/]");
                foreach (var g in bare.FusedConvs == 0 ? [] : DnnlPlugin.Implementations().Where(i => i.Op == DnnlPlugin.ConvOp).GroupBy(i => i.Name))
                    AnsiConsole.MarkupLine($"[grey]  oneDNN Conv {Markup.Escape(g.Key)}: {g.Select(i => i.Node).Distinct().Count()} nodes[/]");
            }
            var tensors = new float[n * bare.TensorLength];
            var bareOutput = new float[n * bare.Dimension];
            for (int i = 0; i < tensors.Length; i++) tensors[i] = (i % 255 - 127.5f) / 128f;
            cases.Add(new(NetworkOnly, n, _ => bare.EmbedTensors(tensors, n, bareOutput)));
            if (int8Model is not null)
            {
                var int8 = new Embedder(int8Model, Variants[0].Options(t));
                owned.Add(int8);
                var int8Output = new float[n * int8.Dimension];
                cases.Add(new("ort int8", n, i => int8.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), int8Output)));
                cases.Add(new("ort int8 network only", n, _ => int8.EmbedTensors(tensors, n, int8Output)));
                // The same file as ONNX Runtime runs it without the Embedder's NHWC rewrite (QuantizedNhwcGraph).
                var qdq = new Embedder(int8Model, Variants[0].Options(t) with { Kernels = Kernels.Standard });
                owned.Add(qdq);
                cases.Add(new("ort int8 qdq as saved, network only", n, _ => qdq.EmbedTensors(tensors, n, int8Output)));
                if (describe)
                    AnsiConsole.MarkupLine($"[grey]int8: {int8.QuantizedPRelus} PRelu units run as uint8 kernels (kernels: {int8.Kernels}); as saved: {qdq.Kernels}[/]");
                try
                {
                    var cvInt8 = new OpenCvDnnEmbedder(int8Model, config.EmbeddingSize);
                    owned.Add(cvInt8);
                    cvInt8.Embed(Slice(photos.Photos, 0, n), Slice(photos.Landmarks, 0, n), cvBuffer);
                    cases.Add(new("opencv dnn int8", n, i => cvInt8.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), cvBuffer)));
                }
                catch (Exception e) when (e is OpenCvSharp.OpenCVException or InvalidDataException or Models.Errors.FaceInputException)
                {
                    if (describe) AnsiConsole.MarkupLine($"[grey]OpenCV DNN cannot run the int8 graph: {Markup.Escape(e.Message.Split('\n')[0])}[/]");
                }
            }
            var cv = new OpenCvDnnEmbedder(model, config.EmbeddingSize);
            owned.Add(cv);
            cases.Add(new("opencv dnn", n, i => cv.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), cvBuffer)));
            if (rewrittenModel is not null)
            {
                var cvRewritten = new OpenCvDnnEmbedder(rewrittenModel, config.EmbeddingSize);
                owned.Add(cvRewritten);
                cases.Add(new("opencv dnn prelu-rewritten", n, i => cvRewritten.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), cvBuffer)));
            }
            return BenchTiming.MeasureInterleaved(cases, seconds, 1);
        }
        finally
        {
            foreach (var d in owned) d.Dispose();
        }
    }

    private const string NetworkOnly = "ort network only";
    private const string TorchFrozen = "pytorch torchscript-frozen network only";

    /// <summary>Per configuration and batch: images/s over all rounds' calls, the median of the rounds' median latencies.</summary>
    private static List<BenchResult> Combine(IEnumerable<BenchResult> perRound) =>
        perRound.GroupBy(r => (r.Name, r.Batch)).Select(g =>
        {
            double seconds = g.Sum(r => r.Calls * r.Batch / r.ImagesPerSecond);
            var medians = g.Select(r => r.MedianLatencyMs).Order().ToArray();
            return new BenchResult(g.Key.Name, g.Key.Batch, g.Sum(r => r.Calls * r.Batch) / seconds, medians[medians.Length / 2], g.Sum(r => r.Calls));
        }).ToList();

    /// <summary>The network-only ratios against the best PyTorch configuration, and the machine-peak fraction.</summary>
    private static void PrintRatiosAndPeak(SphereNetConfig config, int threads, List<BenchResult> results)
    {
        // oneDNN's sgemm where the library loads, else ONNX Runtime's Gemm.
        bool dnnl = PluginLibrary.Dnnl.IsUsable;
        double peak = dnnl ? DnnlPlugin.SgemmGflops(threads) : SphereFace.Benchmarks.Training.GemmRate.Measure(threads);
        double gflopPerImage = 2.0 * config.MultiplyAddsPerImage() / 1e9;
        Console.WriteLine($"machine fp32 peak ({(dnnl ? "oneDNN sgemm" : "onnxruntime Gemm")} 2048³, {threads} threads): {peak:F0} GFLOP/s; {config.Name} forward: {gflopPerImage:F2} GFLOP per image");
        foreach (var ort in results.Where(r => r.Name == NetworkOnly))
        {
            double rate = ort.ImagesPerSecond * gflopPerImage;
            string line = $"batch {ort.Batch}: network {rate:F0} GFLOP/s = {rate / peak:P0} of peak (direct-convolution equivalent)";
            var torch = results.Where(r => r.Batch == ort.Batch && r.Name.StartsWith("pytorch", StringComparison.Ordinal)).ToList();
            if (torch.Count > 0)
            {
                var fastest = torch.MaxBy(r => r.ImagesPerSecond)!;
                var lowest = torch.MinBy(r => r.MedianLatencyMs)!;
                line += $"; vs {fastest.Name}: {ort.ImagesPerSecond / fastest.ImagesPerSecond:F2}× images/s, " +
                        $"latency {ort.MedianLatencyMs / lowest.MedianLatencyMs:F2}× of {lowest.Name}'s";
            }
            if (results.FirstOrDefault(r => r.Batch == ort.Batch && r.Name == "ort int8 network only") is { } int8)
                line += $"; int8: {int8.ImagesPerSecond / ort.ImagesPerSecond:F2}× the float32 images/s, latency {int8.MedianLatencyMs / ort.MedianLatencyMs:F2}×";
            Console.WriteLine(line);
        }
    }

    /// <summary>Profiles 5 runs (after one untimed) of the network on ready tensors and prints the kernel time per op type.</summary>
    private static void Profile(string model, string label, int n, int threads, string dir)
    {
        string prefix = Path.Combine(dir, $"profile-{label}");
        const int runs = 5;
        string file;
        using (var embedder = new Embedder(model, Variants[0].Options(threads) with
               {
                   // The prefix first: enabling profiling takes the prefix set at that moment.
                   ConfigureSession = so => { so.ProfileOutputPathPrefix = prefix; so.EnableProfiling = true; },
               }))
        {
            var tensors = new float[n * embedder.TensorLength];
            for (int i = 0; i < tensors.Length; i++) tensors[i] = (i % 255 - 127.5f) / 128f;
            var output = new float[n * embedder.Dimension];
            for (int r = 0; r <= runs; r++) embedder.EmbedTensors(tensors, n, output);
            file = embedder.EndProfiling();
        }
        Console.WriteLine($"{label} at batch {n}, ms per run by op type ({file}):");
        foreach (var op in SphereFace.Benchmarks.Training.OpProfile.Summarise(file, runs, warmupRuns: 1).Take(12))
            Console.WriteLine($"  {op.OpType,-26} {op.MillisecondsPerStep,8:F1} ms  {op.Share,6:P1}  ({op.Nodes} nodes)");
    }

    /// <summary>Photos for call <paramref name="call"/>: a rotating window of <paramref name="n"/> items.</summary>
    private static T[] Slice<T>(IReadOnlyList<T> items, int call, int n) =>
        Enumerable.Range(0, n).Select(k => items[(call * n + k) % items.Count]).ToArray();

    private static void Print(string net, int threads, List<BenchResult> results)
    {
        var table = new Table().Title($"{net} embeddings from decoded photos, {threads} threads");
        table.AddColumns("runtime", "batch", "images/s", "median ms/call", "calls");
        foreach (var r in results)
            table.AddRow(r.Name, r.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture), r.ImagesPerSecond.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), r.MedianLatencyMs.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), r.Calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
