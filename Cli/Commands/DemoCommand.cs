using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SphereFace.Cli.Demo;
using SphereFace.Cli.Pipeline;
using SphereFace.Graphs.IO;
using SphereFace.Inference;
using SphereFace.Inference.Evaluation;
using SphereFace.Training.Data.Formats;
using SphereFace.Models.Native;
using SphereFace.Models.IO;
using SphereFace.Alignment.Formats;
using SphereFace.Models.Errors;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>demo</c>: the main job on the embedded default — synthetic face set → SF-4 trained with A-Softmax (m = 4,
/// λ annealing) and with the softmax baseline → frozen embedding graphs → LFW-style evaluation on held-out
/// identities → one photo embedded through <see cref="Embedder"/> → a Markdown report with plots.
/// Each step runs what a user would run: the verbs for data, evaluation and plots, the training API for training.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var defaults = new DemoPlan();
        var outDir = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => Path.Combine("artifacts", "demo") };
        var identities = new Option<int>("--identities") { Description = "synthetic identities (80 % train, 20 % held out)", DefaultValueFactory = _ => defaults.Identities };
        var iterations = new Option<int>("--iterations") { Description = "training iterations per loss", DefaultValueFactory = _ => defaults.Iterations };
        var batch = new Option<int>("--batch") { Description = "images per training step", DefaultValueFactory = _ => defaults.Batch };
        var lr = new Option<float?>("--lr") { Description = "base learning rate (default: the run specs' solver.base_lr, configs/demo/*.json)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var kernels = Options.KernelsOption.Create("convolution kernels of training and serving");
        var cmd = new Command("demo", "Run the main job on the embedded synthetic default and write a report under artifacts/demo.")
        {
            outDir, identities, iterations, batch, lr, threads, kernels,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var plan = defaults with
            {
                Identities = p.GetValue(identities), Iterations = p.GetValue(iterations), Batch = p.GetValue(batch),
                Lr = p.GetValue(lr), Threads = p.GetValue(threads), Kernels = Options.KernelsOption.Parse(p, kernels),
            };
            return Run(plan, p.GetValue(outDir)!);
        }));
        return cmd;
    }

    private static int Run(DemoPlan plan, string dir)
    {
        var total = Stopwatch.StartNew();
        var inv = CultureInfo.InvariantCulture;
        string data = Path.Combine(dir, "data");
        string images = Path.Combine(data, "images"), landmarks = Path.Combine(data, "landmarks.txt");
        VerbRunner.Step("1/4 synthetic face set", "synth", "--out", data, "--identities", plan.Identities.ToString(inv),
            "--max-images", plan.MaxImages.ToString(inv), "--pairs-per-fold", plan.PairsPerFold.ToString(inv), "--seed", plan.Seed.ToString(inv));

        var results = new List<DemoReport.RunResult>();
        foreach (var name in DemoPlan.Runs)
        {
            string run = Path.Combine(dir, "runs", name);
            if (DemoRunFolder.MakeRoom(run) is { } previous)
                Console.WriteLine($"   the earlier demo run in {run} was moved to {previous}");
            var sw = Stopwatch.StartNew();
            Console.WriteLine($"== 2/4 train SF-4 ({name}; writes its embedding.onnx)");
            var (trained, code) = ConsoleTraining.Run(RunPlan.New(plan.SpecOf(name, data, run)));
            if (code != 0) throw new SphereFaceException(SphereFaceErrorCode.StepFailed, $"training {name} stopped (exit status {code}).") { Data = { ["exit_code"] = code } };
            var trainTime = sw.Elapsed;
            string model = Path.Combine(run, "embedding.onnx");
            string json = Path.Combine(run, "eval-lfw.json");
            VerbRunner.Step($"3/4 evaluate ({name})", "eval", "--model", model, "--protocol", "lfw", "--data", images, "--landmarks", landmarks,
                "--pairs", Path.Combine(data, "pairs.txt"), "--threads", plan.Threads.ToString(inv), "--kernels", plan.Kernels.Name(), "--out", json);
            string curves = Path.Combine(run, "curves.png");
            VerbRunner.Step($"    training curves ({name})", "plot", "--log", Path.Combine(run, "metrics.csv"), "--out", curves);
            results.Add(new DemoReport.RunResult(name, EvaluationReport.Load(json), trainTime, trained.Spec.Solver.BaseLr,
                VerbRunner.Rel(dir, curves), VerbRunner.Rel(dir, Path.Combine(run, "eval-lfw-roc.png")), VerbRunner.Rel(dir, Path.Combine(run, "eval-lfw-angles.png"))));
        }

        Console.WriteLine("== 4/4 embed sample photos through the Embedder library call");
        string sample = SampleEmbedding(Path.Combine(dir, "runs", DemoPlan.Runs[0], "embedding.onnx"), data, plan.Kernels);
        Console.WriteLine(sample);

        string summary = $"{plan.Identities} synthetic identities ({File.ReadLines(Path.Combine(data, "train_identities.txt")).Count()} for training, "
            + $"{File.ReadLines(Path.Combine(data, "test_identities.txt")).Count()} held out), {LandmarkListFile.Read(landmarks).Count} photos with 5-point landmarks, `data/pairs.txt` over the held-out identities.";
        string report = DemoReport.Render(plan, summary, results, sample, total.Elapsed);
        string reportPath = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(reportPath, report);
        Console.WriteLine(report);
        Console.WriteLine($"report → {reportPath}");
        return 0;
    }

    /// <summary>Embeds two photos of one held-out identity and one of another, from the raw photos and landmarks.</summary>
    private static string SampleEmbedding(string model, string data, Models.Native.Kernels kernels)
    {
        var test = File.ReadLines(Path.Combine(data, "test_identities.txt")).Where(l => l.Length > 0).Take(2).ToArray();
        var entries = LandmarkListFile.Read(Path.Combine(data, "landmarks.txt"));
        var a = entries.Where(e => e.RelativePath.StartsWith(test[0] + "/", StringComparison.Ordinal)).Take(2).ToArray();
        var b = entries.First(e => e.RelativePath.StartsWith(test[1] + "/", StringComparison.Ordinal));
        using var embedder = new Embedder(model, new EmbedderOptions { Kernels = kernels, Log = line => Console.Error.WriteLine($"sphereface: {line}") });
        float[] Embed(LandmarkEntry e)
        {
            using var photo = SphereFace.Alignment.PhotoReader.Read(Path.Combine(data, "images", e.RelativePath));
            return embedder.Embed(photo, e.Points);
        }
        var (f1, f2, f3) = (Embed(a[0]), Embed(a[1]), Embed(b));
        var inv = CultureInfo.InvariantCulture;
        return string.Format(inv, "`Embedder.Embed(photo, landmarks)` on raw photos: cos({0}, {1}) = {2:F3} (same identity), cos({0}, {3}) = {4:F3} (different identities); {5}-d, L2-normalised.",
            a[0].RelativePath, a[1].RelativePath, Embedder.Similarity(f1, f2), b.RelativePath, Embedder.Similarity(f1, f3), f1.Length);
    }

}
