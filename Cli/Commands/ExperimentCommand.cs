using SphereFace.Models.Native;
using System.CommandLine;
using SphereFace.Cli.Experiments;

namespace SphereFace.Cli.Commands;

/// <summary><c>experiment NAME</c>: trains, evaluates and reports one of the papers' experiments at synthetic scale.</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"{string.Join(", ", ExperimentCatalog.Names)} (configs/experiments), or an experiment .json file" };
        var identities = new Option<int>("--identities") { Description = "identities per synthetic set (size knob)", DefaultValueFactory = _ => 200 };
        var iterations = new Option<int>("--iterations") { Description = "iterations per training (size knob)", DefaultValueFactory = _ => 300 };
        var batch = new Option<int>("--batch") { Description = "images per step", DefaultValueFactory = _ => 32 };
        var lr = new Option<float>("--lr") { Description = "base learning rate", DefaultValueFactory = _ => 0.01f };
        var seed = new Option<ulong>("--seed") { Description = "seed of data, initialisation and order", DefaultValueFactory = _ => 1UL };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var reuse = new Option<bool>("--reuse") { Description = "keep runs already finished in the output folder (exported model and evaluations present) instead of training them again" };
        var floorAt = new Option<double?>("--lambda-floor-at") { Description = "fraction of the run at which A-Softmax's λ reaches 5 (default 0.5; sphere3d 0.06)" };
        var outDir = new Option<string?>("--out") { Description = "output folder (default artifacts/experiments/NAME)" };
        var kernels = Options.KernelsOption.Create("convolution kernels of training and evaluation");
        var cmd = new Command("experiment", "Run a paper experiment at synthetic scale and write a Markdown report with plots.")
        {
            name, identities, iterations, batch, lr, seed, threads, kernels, reuse, floorAt, outDir,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var spec = ExperimentCatalog.Get(p.GetValue(name)!, p.GetValue(identities));
            string n = spec.Name;
            if (p.GetValue(floorAt) is { } at)
            {
                if (!(at > 0 && at <= 1)) throw new Models.Errors.InputException($"--lambda-floor-at must be in (0, 1], got {at}.");
                spec = spec with { LambdaFloorAt = at, LambdaFloorWhy = "set with --lambda-floor-at" };
            }
            var size = new ExperimentSize(p.GetValue(identities), p.GetValue(iterations), p.GetValue(batch), p.GetValue(lr), p.GetValue(seed), p.GetValue(threads),
                Options.KernelsOption.Parse(p, kernels).Name());
            if (size.Iterations < 10) throw new Models.Errors.InputException($"--iterations must be at least 10, got {size.Iterations}.");
            string dir = p.GetValue(outDir) ?? Path.Combine("artifacts", "experiments", n);
            string report = ExperimentRunner.Run(spec, size, dir, p.GetValue(reuse));
            Console.WriteLine(File.ReadAllText(report));
            Console.WriteLine($"report → {report}");
            return 0;
        }));
        return cmd;
    }
}
