using SphereFace.Models.Native;
using System.CommandLine;
using SphereFace.Cli.Options;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Runs;
using SphereFace.Models.Errors;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>build-graph</c>: writes the embedding, loss and training-step graphs, the initial values and a manifest. What it
/// builds is the graph part of a run spec (net, loss, classes, batch, kernels, solver, seed): the defaults, then
/// <c>--config</c>, then the flags — the same options and fields as <c>train</c>.
/// </summary>
internal static class BuildGraphCommand
{
    public static Command Create()
    {
        var o = new TrainOptions();
        var outDir = new Option<string>("--out") { Description = "output folder (the graph folder)", Required = true };
        var cmd = new Command("build-graph", "Build the SphereFace graphs (embedding.onnx, loss.onnx, train_step.onnx, initial.safetensors, manifest.json) into a folder.");
        Option[] graphOptions = [o.Config, o.Net, o.LastRelu, o.EmbeddingSize, .. o.Loss.All, o.Classes, o.Batch, o.Kernels, o.Momentum, o.WeightDecay, o.Seed];
        foreach (var option in graphOptions) cmd.Options.Add(option);
        cmd.Options.Add(outDir);
        o.Classes.Description = "number of training identities, ≥ 2 (classes; default 10572, CASIA-WebFace's)";
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var request = RunSpecRequest.From(p, o);
            RunSpec spec;
            try
            {
                spec = request.NewRun();
                spec = (spec with { Classes = spec.Classes ?? 10572 }).Validate();
            }
            catch (RunSpecException e)
            {
                throw request.Explain(e);
            }
            string dir = Path.GetFullPath(p.GetValue(outDir)!);
            var set = GraphFolder.Build(spec.GraphSpec);
            GraphFolder.Write(dir, set);
            long backbone = set.Manifest.BackboneParameters;
            var step = set.TrainStep;
            Console.WriteLine($"{spec.NetConfig.Name}: {backbone:N0} backbone parameters → {Path.Combine(dir, GraphFolder.EmbeddingFile)}");
            Console.WriteLine($"{spec.Loss} loss head ({step.Carried.Where(c => c.Kind == CarriedKind.Parameter).Sum(c => c.Count) - backbone:N0} classifier parameters" +
                              $"{(LossGraph.NeedsPlugin(spec.Loss) ? $", needs {Models.Native.MarginPlugin.LibraryFileName}" : "")}) → {Path.Combine(dir, GraphFolder.LossFile)}");
            Console.WriteLine($"train step: batch {step.Config.BatchSize}, {step.Carried.Count} carried tensors, kernels {step.Config.Kernels}" +
                              $"{(step.NeedsPlugin ? $" (needs {string.Join(", ", step.Plugins)})" : "")} → {Path.Combine(dir, GraphFolder.TrainStepFile)}, " +
                              $"initial values → {Path.Combine(dir, TrainStepManifest.InitialFile)}");
            return 0;
        }));
        return cmd;
    }
}
