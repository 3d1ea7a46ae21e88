using System.CommandLine;
using SphereFace.Graphs.Import;
using SphereFace.Graphs.Import.Caffe;
using SphereFace.Graphs.Import.Torch;

namespace SphereFace.Cli.Commands;

/// <summary><c>import</c>: published SphereFace models from other frameworks as the project's embedding graph.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var cmd = new Command("import", "Import a SphereFace model trained elsewhere as embedding.onnx (+ manifest.json), keeping its original preprocessing.");
        cmd.Subcommands.Add(Caffe());
        cmd.Subcommands.Add(Torch());
        cmd.Subcommands.Add(TfLite());
        return cmd;
    }

    private static Command TfLite()
    {
        var model = new Option<string>("--model") { Description = "the .tflite file (a float model; float16 weights are stored as float32)", Required = true };
        var output = new Option<string>("--out") { Description = "the ONNX file to write", Required = true };
        var input = new Option<string>("--input-name") { Description = "name of the ONNX input (NCHW)", DefaultValueFactory = _ => "image" };
        var outputs = new Option<string?>("--output-names") { Description = "comma-separated names of the ONNX outputs, in the TFLite subgraph's order (default: the TFLite tensor names)" };
        var cmd = new Command("tflite", "A TFLite model (e.g. MediaPipe's face detector) as an ONNX graph of opset 17 (docs/detection.md).") { model, output, input, outputs };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string path = p.GetValue(model)!, target = p.GetValue(output)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"TFLite model '{path}' does not exist.", path);
            if (Path.GetFullPath(path) == Path.GetFullPath(target)) throw new Models.Errors.InputException($"--out '{target}' is the input model; choose another file.");
            var names = p.GetValue(outputs)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Models.Onnx.ModelProto onnx;
            try
            {
                onnx = SphereFace.Graphs.Import.TfLite.TfLiteToOnnx.Convert(File.ReadAllBytes(path), path,
                    new SphereFace.Graphs.Import.TfLite.TfLiteImportOptions(p.GetValue(input)!, names, Path.GetFileNameWithoutExtension(target)));
            }
            catch (NotSupportedException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
            Models.Onnx.ModelFile.Save(onnx, target);
            Console.WriteLine($"{path}: {onnx.Graph.Node.Count} ONNX nodes, inputs {string.Join(", ", onnx.Graph.Input.Select(i => i.Name))}, " +
                              $"outputs {string.Join(", ", onnx.Graph.Output.Select(o => o.Name))} → {target}");
            return 0;
        }));
        return cmd;
    }

    private static Command Caffe()
    {
        var prototxt = new Option<string>("--prototxt") { Description = "the deploy prototxt (e.g. sphereface_deploy.prototxt)", Required = true };
        var caffemodel = new Option<string>("--caffemodel") { Description = "the trained weights (e.g. sphereface_model.caffemodel)", Required = true };
        var output = new Option<string>("--out") { Description = "folder to write embedding.onnx and manifest.json into", Required = true };
        var cmd = new Command("caffe", "A SphereFace-4/10/20/36/64 trained with the original Caffe code (wy1iu/sphereface).") { prototxt, caffemodel, output };
        cmd.SetAction(p => CliAction.Run(() => Report(CaffeSphereNetImport.Read(p.GetValue(prototxt)!, p.GetValue(caffemodel)!), p.GetValue(output)!)));
        return cmd;
    }

    private static Command Torch()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "the PyTorch checkpoint (.pth state dict)", Required = true };
        var layout = new Option<string>("--layout") { Description = $"its layer names: {string.Join(", ", TorchSphereNetImport.Layouts)} (sphereface_pytorch's net_sphere.sphere20a)", Required = true };
        var output = new Option<string>("--out") { Description = "folder to write embedding.onnx and manifest.json into", Required = true };
        var cmd = new Command("torch", "A SphereFace net saved by PyTorch (torch.save of its state dict; read without running any code from the file).") { checkpoint, layout, output };
        cmd.SetAction(p => CliAction.Run(() => Report(TorchSphereNetImport.Read(p.GetValue(checkpoint)!, p.GetValue(layout)!), p.GetValue(output)!)));
        return cmd;
    }

    private static int Report(ImportedNet net, string folder)
    {
        string path = net.Save(folder);
        Console.WriteLine($"{net.Config.Name} from {net.Source} ({net.Parameters.TotalCount:N0} parameters) → {path}");
        Console.WriteLine($"input contract: {net.Contract.Describe()}");
        return 0;
    }
}
