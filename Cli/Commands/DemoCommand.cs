using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Cli.Commands;

/// <summary><c>demo</c>: the main job on the embedded default, written under artifacts/demo.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => Path.Combine("artifacts", "demo") };
        var cmd = new Command("demo", "Run the main job on the embedded default and write a report under artifacts/demo.") { outDir };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string dir = p.GetValue(outDir)!;
            var config = new SphereNetConfig(4);
            var store = new ParameterStore(1);
            var model = EmbeddingGraph.Build(config, store);
            var manifest = new Manifest
            {
                Net = config.Name, Classes = 2, BackboneParameters = store.TotalCount, Seed = store.Seed,
                Input = new InputContract(),
            };
            GraphFolder.Write(dir, manifest, [("embedding", "embedding.onnx", model)]);
            string path = Path.Combine(dir, "embedding.onnx");
            using var session = new InferenceSession(path);
            var input = new DenseTensor<float>([1, 3, SphereNetConfig.InputHeight, SphereNetConfig.InputWidth]);
            var sw = Stopwatch.StartNew();
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", input)]);
            var embedding = results[0].AsEnumerable<float>().ToArray();
            Console.WriteLine($"{config.Name}: {store.TotalCount:N0} parameters, embedding of 1 image: {embedding.Length} values in {sw.Elapsed.TotalMilliseconds:F0} ms → {path}");
            return 0;
        }));
        return cmd;
    }
}
