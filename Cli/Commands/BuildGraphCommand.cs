using System.CommandLine;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.TrainStep;

namespace SphereFace.Cli.Commands;

/// <summary><c>build-graph</c>: writes the embedding, loss and training-step graphs plus a manifest.</summary>
internal static class BuildGraphCommand
{
    public static Command Create()
    {
        var net = new Option<string>("--net") { Description = "sphere4, sphere10, sphere20, sphere36 or sphere64", DefaultValueFactory = _ => "sphere20" };
        var classes = new Option<int>("--classes") { Description = "number of training identities (≥ 2)", DefaultValueFactory = _ => 10572 };
        var outDir = new Option<string>("--out") { Description = "output folder", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "initialisation seed", DefaultValueFactory = _ => 1UL };
        var lastRelu = new Option<bool>("--last-relu") { Description = "keep a ReLU after the embedding (ablation; off in the paper)" };
        var loss = new Option<string>("--loss") { Description = "loss head: softmax, modified, asoftmax, amsoftmax, irsoftmax-a or irsoftmax-am", DefaultValueFactory = _ => "asoftmax" };
        var margin = new Option<int>("--m") { Description = "A-Softmax angular margin m (integer 1..8)", DefaultValueFactory = _ => 4 };
        var amMargin = new Option<float>("--am-margin") { Description = "AM-Softmax additive margin m", DefaultValueFactory = _ => 0.35f };
        var amScale = new Option<float>("--am-scale") { Description = "AM-Softmax scale s", DefaultValueFactory = _ => 30f };
        var noPlugin = new Option<bool>("--no-plugin") { Description = "build ψ(θ) from standard ONNX ops instead of the native margin plugin" };
        var centres = new Option<string>("--centres") { Description = "IR-Softmax centre update: loss (centre loss, renormalised) or memory-bank", DefaultValueFactory = _ => "loss" };
        var bankSize = new Option<int>("--memory-bank-size") { Description = "IR-Softmax memory bank: features kept per class (K)", DefaultValueFactory = _ => 8 };
        var centreWeight = new Option<float>("--centre-loss-weight") { Description = "IR-Softmax centre-loss weight", DefaultValueFactory = _ => 1f };
        var batch = new Option<int>("--batch") { Description = "fixed batch size of train_step.onnx", DefaultValueFactory = _ => 32 };
        var kernels = new Option<string>("--kernels") { Description = $"conv kernels of train_step.onnx: {string.Join(", ", KernelNames.All)} (embedding.onnx is always standard ONNX)", DefaultValueFactory = _ => "onednn" };
        var cmd = new Command("build-graph", "Build the SphereFace graphs (embedding.onnx, loss.onnx, train_step.onnx, manifest.json) into a folder.")
        {
            net, classes, outDir, seed, lastRelu, loss, margin, amMargin, amScale, noPlugin, centres, bankSize, centreWeight, batch, kernels,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var config = SphereNetConfig.Parse(p.GetValue(net)!, p.GetValue(lastRelu));
            int n = p.GetValue(classes);
            if (n < 2) throw new ArgumentException($"--classes must be at least 2, got {n}.");
            string dir = p.GetValue(outDir)!;
            var lossConfig = new LossConfig(LossGraph.Parse(p.GetValue(loss)!), p.GetValue(margin), p.GetValue(amMargin), p.GetValue(amScale), !p.GetValue(noPlugin),
                LossGraph.ParseCentreUpdate(p.GetValue(centres)!), p.GetValue(bankSize), p.GetValue(centreWeight));
            var set = GraphFolder.Build(new GraphFolderSpec(config, lossConfig, n, p.GetValue(batch), new SolverConfig(), KernelNames.Parse(p.GetValue(kernels)!), p.GetValue(seed)));
            GraphFolder.Write(dir, set);
            long backbone = set.Manifest.BackboneParameters;
            var step = set.TrainStep;
            Console.WriteLine($"{config.Name}: {backbone:N0} backbone parameters → {Path.Combine(dir, GraphFolder.EmbeddingFile)}");
            Console.WriteLine($"{LossGraph.Name(lossConfig.Kind)} loss head ({step.Carried.Where(c => c.Kind == CarriedKind.Parameter).Sum(c => c.Count) - backbone:N0} classifier parameters" +
                              $"{(LossGraph.NeedsPlugin(lossConfig) ? $", needs {Graphs.Native.MarginPlugin.LibraryFileName}" : "")}) → {Path.Combine(dir, GraphFolder.LossFile)}");
            Console.WriteLine($"train step: batch {step.Config.BatchSize}, {step.Carried.Count} carried tensors, kernels {step.Config.Kernels.Name()}" +
                              $"{(step.NeedsPlugin ? $" (needs {string.Join(", ", step.Plugins)})" : "")} → {Path.Combine(dir, GraphFolder.TrainStepFile)}, " +
                              $"initial values → {Path.Combine(dir, TrainStepManifest.InitialFile)}");
            return 0;
        }));
        return cmd;
    }
}
