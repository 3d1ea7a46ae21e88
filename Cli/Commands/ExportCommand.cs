using System.CommandLine;
using SphereFace.Training.Export;

namespace SphereFace.Cli.Commands;

/// <summary><c>export</c>: the frozen embedding graph with a checkpoint's trained weights.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "training checkpoint (.safetensors)", Required = true };
        var outPath = new Option<string?>("--out") { Description = "embedding model to write (.onnx; default: embedding.onnx beside the checkpoint)" };
        var cmd = new Command("export", "Write the embedding graph (weights as initializers) from a training checkpoint.") { checkpoint, outPath };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string source = p.GetValue(checkpoint)!;
            string target = p.GetValue(outPath) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, "embedding.onnx");
            Inputs.OutputPaths.Check(target, "--out", (source, "--checkpoint"));
            var model = CheckpointExport.Export(source, target);
            string iterations = model.MetadataProps.First(m => m.Key.EndsWith("trained_iterations", StringComparison.Ordinal)).Value;
            Console.WriteLine($"{model.Graph.Name}: weights after {iterations} iterations from {source} → {target}");
            return 0;
        }));
        return cmd;
    }
}
