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
using SphereFace.Inference.Benchmarks;
using SphereFace.Inference.GraphRewrites;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>bench embed</c>: embeddings per second from decoded photos, alignment and preprocessing included, with the
/// <see cref="Embedder"/> (ONNX Runtime) and with OpenCV DNN running the same <c>embedding.onnx</c>.
/// </summary>
internal static class BenchEmbedCommand
{
    /// <summary>ONNX Runtime session variants compared with <c>--variants</c>.</summary>
    private static readonly (string Name, Func<int, EmbedderOptions> Options)[] Variants =
    [
        ("ort default", t => new EmbedderOptions { IntraOpThreads = t }),
        ("ort prelu-kept", t => new EmbedderOptions { IntraOpThreads = t, BlockedLayoutPRelu = false }),
        ("ort no-spinning", t => new EmbedderOptions { IntraOpThreads = t, AllowSpinning = false }),
        ("ort spin-stop-after-run", t => new EmbedderOptions { IntraOpThreads = t, ConfigureSession = so => so.AddSessionConfigEntry("session.force_spinning_stop", "1") }),
        ("ort extended-opt", t => new EmbedderOptions { IntraOpThreads = t, GraphOptimization = GraphOptimizationLevel.ORT_ENABLE_EXTENDED }),
        ("ort basic-opt", t => new EmbedderOptions { IntraOpThreads = t, GraphOptimization = GraphOptimizationLevel.ORT_ENABLE_BASIC }),
        ("ort no-prepack", t => new EmbedderOptions { IntraOpThreads = t, ConfigureSession = so => so.AddSessionConfigEntry("session.disable_prepacking", "1") }),
        ("ort denormals-as-zero", t => new EmbedderOptions { IntraOpThreads = t, ConfigureSession = so => so.AddSessionConfigEntry("session.set_denormal_as_zero", "1") }),
        ("ort no-mem-pattern", t => new EmbedderOptions { IntraOpThreads = t, ConfigureSession = so => so.EnableMemoryPattern = false }),
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
        var outDir = new Option<string>("--out") { Description = "folder for the model and results JSON", DefaultValueFactory = _ => "artifacts/bench/embed" };
        var cmd = new Command("embed", "Embeddings/s from decoded photos (alignment + preprocessing + network): ONNX Runtime vs OpenCV DNN.")
        {
            net, batch, threads, seconds, rounds, variants, torch, outDir,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var config = SphereNetConfig.Parse(p.GetValue(net)!);
            int[] batches = p.GetValue(batch) is { Length: > 0 } b ? b : [1, 32];
            if (batches.Any(x => x < 1 || x > 1024)) throw new ArgumentException($"--batch values must be in 1…1024, got {string.Join(", ", batches)}.");
            int t = p.GetValue(threads);
            if (t < 1) throw new ArgumentException($"--threads must be ≥ 1, got {t}.");
            double minSeconds = p.GetValue(seconds);
            if (!(minSeconds > 0)) throw new ArgumentException($"--seconds must be > 0, got {minSeconds}.");
            if (p.GetValue(rounds) < 1) throw new ArgumentException($"--rounds must be ≥ 1, got {p.GetValue(rounds)}.");
            string dir = Path.Combine(p.GetValue(outDir)!, config.Name);
            GraphFolder.EnsureWritable(dir);
            string model = Path.Combine(dir, "embedding.onnx");
            ModelFile.Save(EmbeddingGraph.Build(config, new ParameterStore(1)), model);
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

            var results = new List<BenchResult>();
            using var photos = new BenchPhotos(Math.Max(64, batches.Max()), seed: 7);
            var chosen = p.GetValue(variants) ? Variants : Variants.Take(1).ToArray();
            foreach (int n in batches)
            {
                AnsiConsole.MarkupLine($"[grey]{config.Name}, batch {n}, {t} threads, {p.GetValue(rounds)} interleaved rounds…[/]");
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
                    // The network alone on ready tensors: how much of the time alignment and preprocessing take.
                    var bare = new Embedder(model, Variants[0].Options(t));
                    owned.Add(bare);
                    if (n == batches[0])
                        AnsiConsole.MarkupLine($"[grey]the Embedder rewrote {bare.RewrittenPRelus} PRelu nodes for ONNX Runtime's blocked layout (EmbedderOptions.BlockedLayoutPRelu)[/]");
                    var tensors = new float[n * bare.TensorLength];
                    var bareOutput = new float[n * bare.Dimension];
                    for (int i = 0; i < tensors.Length; i++) tensors[i] = (i % 255 - 127.5f) / 128f;
                    cases.Add(new("ort network only", n, _ => bare.EmbedTensors(tensors, n, bareOutput)));
                    var cv = new OpenCvDnnEmbedder(model, config.EmbeddingSize);
                    owned.Add(cv);
                    var cvOutput = new float[n * config.EmbeddingSize];
                    cases.Add(new("opencv dnn", n, i => cv.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), cvOutput)));
                    if (rewrittenModel is not null)
                    {
                        var cvRewritten = new OpenCvDnnEmbedder(rewrittenModel, config.EmbeddingSize);
                        owned.Add(cvRewritten);
                        cases.Add(new("opencv dnn prelu-rewritten", n, i => cvRewritten.Embed(Slice(photos.Photos, i, n), Slice(photos.Landmarks, i, n), cvOutput)));
                    }
                    results.AddRange(BenchTiming.MeasureInterleaved(cases, minSeconds, p.GetValue(rounds)));
                }
                finally
                {
                    foreach (var d in owned) d.Dispose();
                }
            }
            if (p.GetValue(torch))
            {
                AnsiConsole.MarkupLine("[grey]PyTorch peer…[/]");
                results.AddRange(TorchPeer.Measure(model, t, minSeconds, batches));
            }
            Print(config.Name, t, results);
            string json = Path.Combine(dir, "bench-embed.json");
            AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new { net = config.Name, threads = t, results }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"results → {json}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Photos for call <paramref name="call"/>: a rotating window of <paramref name="n"/> items.</summary>
    private static T[] Slice<T>(IReadOnlyList<T> items, int call, int n) =>
        Enumerable.Range(0, n).Select(k => items[(call * n + k) % items.Count]).ToArray();

    private static void Print(string net, int threads, List<BenchResult> results)
    {
        var table = new Table().Title($"{net} embeddings from decoded photos, {threads} threads");
        table.AddColumns("runtime", "batch", "images/s", "median ms/call", "calls");
        foreach (var r in results)
            table.AddRow(r.Name, r.Batch.ToString(), r.ImagesPerSecond.ToString("F1"), r.MedianLatencyMs.ToString("F1"), r.Calls.ToString());
        AnsiConsole.Write(table);
    }
}
