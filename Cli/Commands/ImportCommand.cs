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
        var cmd = new Command("torch", "A SphereFace net saved by PyTorch (read with Debian's python3-torch).") { checkpoint, layout, output };
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
