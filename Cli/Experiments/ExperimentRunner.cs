using SphereFace.Cli.Pipeline;
using SphereFace.Models.Errors;
using SphereFace.Models.Native;
using SphereFace.Training.Runs;
using SphereFace.Graphs.IO;
using SphereFace.Inference.Evaluation;
using static SphereFace.Cli.Pipeline.VerbRunner;
using SphereFace.Models.IO;

namespace SphereFace.Cli.Experiments;

/// <summary>Sizes shared by every training of an experiment.</summary>
internal sealed record ExperimentSize(int Identities, int Iterations, int Batch, float Lr, ulong Seed, int Threads, string Kernels = "auto")
{
    /// <summary>
    /// γ of the λ schedule λ = max(5, 1000·(1 + γ·iter)⁻¹) scaled to the run so that λ reaches its floor 5 at the
    /// fraction <paramref name="floorAt"/> of the iterations (1000/(1 + γ·t) = 5 at t = 199/γ). With the paper's
    /// γ = 0.12 a run of a few hundred iterations would end with λ ≈ 27, where the margin moves the target logit
    /// by only 1/28 of its effect.
    /// </summary>
    public float LambdaGamma(double floorAt) => (float)(199.0 / (floorAt * Iterations));
}

/// <summary>
/// Runs an experiment: <c>synth</c> each data set, then per run the training API (<see cref="RunPlan"/>, which
/// exports the embedding model) → <c>eval</c> on the held-out identities → <c>plot</c>, and writes <c>report.md</c>.
/// </summary>
internal static class ExperimentRunner
{
    /// <summary>
    /// Runs <paramref name="spec"/> into <paramref name="dir"/>. With <paramref name="reuse"/>, a run whose exported
    /// model and evaluation results are already there is not trained again (resuming an interrupted experiment).
    /// </summary>
    public static string Run(ExperimentSpec spec, ExperimentSize size, string dir, bool reuse = false)
    {
        Directory.CreateDirectory(dir);
        if (spec.File is { } file) File.Copy(file, Path.Combine(dir, "experiment.json"), overwrite: true);
        foreach (var data in spec.Data)
            Step($"data '{data.Name}'", ["synth", "--out", DataDir(dir, data.Name), "--seed", S(size.Seed), .. data.SynthArgs]);

        var results = new List<RunResult>();
        foreach (var run in spec.Runs)
        {
            string data = DataDir(dir, run.Data), runDir = Path.Combine(dir, "runs", run.Name);
            string images = Path.Combine(data, "images"), landmarks = Path.Combine(data, "landmarks.txt");
            string model = Path.Combine(runDir, "embedding.onnx");
            var jsons = spec.Protocols.Select(protocol => Path.Combine(runDir, $"eval-{protocol}.json")).ToList();
            if (reuse && File.Exists(model) && jsons.All(File.Exists))
            {
                Console.WriteLine($"== reuse {run.Name}: {runDir}");
                results.Add(new RunResult(run, jsons.Select(EvaluationReport.Load).ToList(), TrainLogDuration(runDir)));
                continue;
            }
            Console.WriteLine($"== train {run.Name}");
            var (_, code) = ConsoleTraining.Run(RunPlan.New(RunSpecOf(spec, run, size, dir, data, runDir)));
            if (code != 0) throw new SphereFaceException(SphereFaceErrorCode.StepFailed, $"training {run.Name} stopped (exit status {code}).") { Data = { ["exit_code"] = code } };
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
                        : ["--identity-list", Path.Combine(data, "test_identities.txt")];
                    Step($"eval {protocol} {run.Name}", ["eval", "--model", model, "--protocol", protocol, "--data", images,
                        "--landmarks", landmarks, .. set, "--threads", S(size.Threads), "--kernels", size.Kernels, "--out", json]);
                }
                reports.Add(EvaluationReport.Load(json));
            }
            results.Add(new RunResult(run, reports, TrainLogDuration(runDir)));
        }

        string reportPath = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(reportPath, ExperimentReport.Render(spec, size, results, dir));
        return reportPath;
    }

    private static string DataDir(string dir, string name) => Path.Combine(dir, "data", name);

    /// <summary>
    /// The run spec of one training: the experiment's base and the run's fields (<see cref="ExperimentSpec.SpecOf"/>),
    /// then the sizes and the paths of its data, its run folder and, for a fine-tuned run, the checkpoint it starts from.
    /// </summary>
    internal static RunSpec RunSpecOf(ExperimentSpec spec, ExperimentRun run, ExperimentSize size, string dir, string data, string runDir)
    {
        var s = spec.SpecOf(run);
        return s with
        {
            Description = $"experiment {spec.Name}: {run.Description}",
            Batch = size.Batch,
            Seed = size.Seed,
            Kernels = KernelNames.Parse(size.Kernels),
            Solver = s.Solver with { Iterations = size.Iterations, BaseLr = size.Lr, LrSteps = [size.Iterations * 6 / 10, size.Iterations * 85 / 100] },
            Lambda = s.Lambda with { Gamma = size.LambdaGamma(spec.LambdaFloorAt) },
            Data = s.Data with
            {
                Source = Path.GetFullPath(Path.Combine(data, "images")), Landmarks = Path.GetFullPath(Path.Combine(data, "landmarks.txt")),
                IdentityList = Path.GetFullPath(Path.Combine(data, "train_identities.txt")),
            },
            InitFrom = run.InitFrom is { } from ? Path.GetFullPath(Path.Combine(dir, "runs", from, "checkpoint.safetensors")) : s.InitFrom,
            Machine = s.Machine with { Threads = size.Threads },
            Output = s.Output with { Folder = Path.GetFullPath(runDir), LogEvery = 20, CheckpointEvery = size.Iterations },
        };
    }

    /// <summary>Wall time of a run's training: from the first to the last timestamp of its train.log.</summary>
    private static TimeSpan TrainLogDuration(string runDir)
    {
        var lines = File.ReadAllLines(Path.Combine(runDir, "train.log")).Where(l => l.Length > 0).ToArray();
        static DateTime Stamp(string line) => DateTime.Parse(line[..line.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal);
        return lines.Length == 0 ? TimeSpan.Zero : Stamp(lines[^1]) - Stamp(lines[0]);
    }
}

/// <summary>What one training of an experiment produced.</summary>
internal sealed record RunResult(ExperimentRun Run, IReadOnlyList<EvaluationReport> Reports, TimeSpan TrainTime)
{
    /// <summary>A metric's value (and std) from any of the run's reports, or null.</summary>
    public EvaluationMetric? Metric(string protocol, string name) =>
        Reports.FirstOrDefault(r => r.Protocol == protocol)?.Metrics.FirstOrDefault(m => m.Name == name);
}
