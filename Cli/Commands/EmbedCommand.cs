using System.CommandLine;
using System.Diagnostics;
using SphereFace.Cli.Inputs;
using SphereFace.Graphs.IO;
using SphereFace.Inference.Output;
using SphereFace.Models.IO;

namespace SphereFace.Cli.Commands;

/// <summary><c>embed</c>: embeddings of many images, written as a .npy matrix plus the list of image paths.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var args = new EmbedderArguments();
        var output = new Option<string>("--out") { Description = "output .npy (float32 [N,D]); the image paths go to the same name with .txt", Required = true };
        var cmd = new Command("embed", "Embed images (aligning photos with their landmarks) into a .npy matrix and a path list.");
        foreach (var o in args.All) cmd.Options.Add(o);
        cmd.Options.Add(output);
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string npy = p.GetValue(output)!;
            if (!npy.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new Models.Errors.InputException($"--out must end in .npy, got '{npy}'.");
            var read = new (string?, string)[] { (p.GetValue(args.Data), "--data"), (p.GetValue(args.Landmarks), "--landmarks"), (p.GetValue(args.Model), "--model") };
            OutputPaths.Check(npy, "--out", read);
            OutputPaths.Check(Path.ChangeExtension(npy, ".txt"), "--out's path list", read);
            using var embedder = args.Open(p);
            var inputs = FaceInputs.Load(args.RequireData(p, "the images to embed"), p.GetValue(args.Landmarks));
            var clock = Stopwatch.StartNew();
            var result = EmbeddingRun.Compute(embedder, inputs, p.GetValue(args.Batch), "embedding", p.GetValue(args.Strict));
            double seconds = clock.Elapsed.TotalSeconds;
            int count = result.Embeddings.Count;
            NpyFile.WriteMatrix(npy, result.Embeddings.Data, count, embedder.Dimension);
            string list = Path.ChangeExtension(npy, ".txt");
            AtomicFile.WriteAllText(list, string.Concat(result.Select(inputs).Select(i => i.Path + "\n")));
            string skipped = result.Skipped.Count > 0 ? $"; {result.Skipped.Count} unusable images skipped (not in the matrix or the path list)" : "";
            Console.WriteLine($"{count} embeddings of {embedder.Dimension} floats → {npy} (paths: {list}); {inputs.Count / seconds:0.0} images/s{skipped}");
            return 0;
        }));
        return cmd;
    }
}
