using System.Diagnostics;
using SphereFace.Cli.Pipeline;
using SphereFace.Graphs.IO;
using SphereFace.Inference.Evaluation;
using static SphereFace.Cli.Pipeline.VerbRunner;

namespace SphereFace.Cli.Experiments;

/// <summary>Sizes shared by every training of an experiment.</summary>
internal sealed record ExperimentSize(int Identities, int Iterations, int Batch, float Lr, ulong Seed, int Threads);

/// <summary>
/// Runs an experiment with the user-facing verbs: <c>synth</c> each data set, then per run <c>train</c> →
/// <c>export</c> → <c>eval</c> on the held-out identities → <c>plot</c>, and writes <c>report.md</c>.
/// </summary>
internal static class ExperimentRunner
{
    public static string Run(ExperimentSpec spec, ExperimentSize size, string dir)
    {
        var total = Stopwatch.StartNew();
        foreach (var data in spec.Data)
            Step($"data '{data.Name}'", ["synth", "--out", DataDir(dir, data.Name), "--seed", S(size.Seed), .. data.SynthArgs]);

        var results = new List<RunResult>();
        foreach (var run in spec.Runs)
        {
            string data = DataDir(dir, run.Data), runDir = Path.Combine(dir, "runs", run.Name);
            string images = Path.Combine(data, "images"), landmarks = Path.Combine(data, "landmarks.txt");
            var sw = Stopwatch.StartNew();
            Step($"train {run.Name}", ["train", "--net", "sphere4", .. run.TrainArgs, "--embedding-size", S(spec.EmbeddingSize),
                "--data", images, "--landmarks", landmarks, "--identities", Path.Combine(data, "train_identities.txt"),
                "--batch", S(size.Batch), "--iterations", S(size.Iterations), "--lr", S(size.Lr),
                "--lr-steps", $"{size.Iterations * 6 / 10},{size.Iterations * 85 / 100}", "--seed", S(size.Seed),
                "--threads", S(size.Threads), "--log-every", "20", "--checkpoint-every", S(size.Iterations), "--out", runDir]);
            var trainTime = sw.Elapsed;
            string model = Path.Combine(runDir, "embedding.onnx");
            Step($"export {run.Name}", "export", "--checkpoint", Path.Combine(runDir, "checkpoint.safetensors"), "--out", model);
            Step($"plot {run.Name}", "plot", "--log", Path.Combine(runDir, "metrics.csv"), "--out", Path.Combine(runDir, "curves.png"));
            var reports = new List<EvaluationReport>();
            foreach (var protocol in spec.Protocols)
            {
                string json = Path.Combine(runDir, $"eval-{protocol}.json");
                if (protocol == "sphere")
                    SphereFeatures.Evaluate(model, data, runDir).Save(json);
                else
                {
                    string[] set = protocol == "lfw"
                        ? ["--pairs", Path.Combine(data, "pairs.txt")]
                        : ["--identities", Path.Combine(data, "test_identities.txt")];
                    Step($"eval {protocol} {run.Name}", ["eval", "--model", model, "--protocol", protocol, "--images", images,
                        "--landmarks", landmarks, .. set, "--threads", S(size.Threads), "--out", json]);
                }
                reports.Add(EvaluationReport.Load(json));
            }
            results.Add(new RunResult(run, reports, trainTime));
        }

        string reportPath = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(reportPath, ExperimentReport.Render(spec, size, results, dir, total.Elapsed));
        return reportPath;
    }

    private static string DataDir(string dir, string name) => Path.Combine(dir, "data", name);
}

/// <summary>What one training of an experiment produced.</summary>
internal sealed record RunResult(RunSpec Run, IReadOnlyList<EvaluationReport> Reports, TimeSpan TrainTime)
{
    /// <summary>A metric's value (and std) from any of the run's reports, or null.</summary>
    public EvaluationMetric? Metric(string protocol, string name) =>
        Reports.FirstOrDefault(r => r.Protocol == protocol)?.Metrics.FirstOrDefault(m => m.Name == name);
}
