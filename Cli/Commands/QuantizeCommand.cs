using System.CommandLine;
using System.Numerics.Tensors;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Cli.Inputs;
using SphereFace.Graphs.Quantization;
using SphereFace.Inference;
using SphereFace.Models;
using SphereFace.Models.Onnx;

namespace SphereFace.Cli.Commands;

/// <summary><c>quantize</c>: static int8 quantization (QDQ) of an embedding graph, calibrated on faces.</summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "the float32 embedding.onnx", Required = true };
        var data = new Option<string>("--data") { Description = "calibration faces: image folder (DIR/<identity>/<image>) or list, e.g. the training split", Required = true };
        var landmarks = new Option<string?>("--landmarks") { Description = "landmark list of --data (without it the images are aligned faces)" };
        var identities = new Option<string?>("--identity-list") { Description = "identities of --data to calibrate on (e.g. train_identities.txt)" };
        var images = new Option<int>("--images") { Description = "calibration faces, spread evenly over --data", DefaultValueFactory = _ => 256 };
        var method = new Option<string>("--method") { Description = "activation ranges: percentile (0.01 % / 99.99 % quantiles) or minmax", DefaultValueFactory = _ => "percentile" };
        var compare = new Option<string?>("--compare-data") { Description = "faces to compare float32 and int8 embeddings on (default: the calibration faces)" };
        var compareLandmarks = new Option<string?>("--compare-landmarks") { Description = "landmark list of --compare-data" };
        var compareIdentities = new Option<string?>("--compare-identity-list") { Description = "identities of --compare-data (e.g. test_identities.txt)" };
        var output = new Option<string?>("--out") { Description = "the int8 model (default: embedding.int8.onnx beside --model)" };
        var kernels = Options.KernelsOption.Create("kernels of the float32 model in the comparison (the int8 model runs ONNX Runtime's int8 kernels)");
        var cmd = new Command("quantize", "Quantize an embedding graph to int8 (QDQ: per-channel int8 weights, uint8 activations), calibrated on faces.")
        {
            model, data, landmarks, identities, images, method, compare, compareLandmarks, compareIdentities, output, kernels,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string source = p.GetValue(model)!;
            int count = p.GetValue(images);
            if (count < 1) throw new Models.Errors.InputException($"--images must be ≥ 1, got {count}.");
            var how = p.GetValue(method)!.Trim().ToLowerInvariant() switch
            {
                "percentile" => CalibrationMethod.Percentile,
                "minmax" => CalibrationMethod.MinMax,
                var m => throw new Models.Errors.InputException($"--method must be percentile or minmax, got '{m}'."),
            };
            string target = p.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, "embedding.int8.onnx");
            Inputs.OutputPaths.Check(target, "--out", (source, "--model"), (p.GetValue(data), "--data"), (p.GetValue(landmarks), "--landmarks"));
            var fp32 = ModelFile.Load(source);
            var contract = InputContract.FromModel(fp32, source);
            var calibration = Spread(FaceInputs.Load(p.GetValue(data)!, p.GetValue(landmarks), p.GetValue(identities)), count);
            var faces = Tensors(calibration, contract);
            Console.WriteLine($"calibrating {source} on {faces.Count} faces ({how})…");
            var ranges = Calibration.Observe(fp32, faces, how);
            var tensors = QdqQuantizer.CalibratedTensors(fp32);
            var int8 = QdqQuantizer.Quantize(fp32, tensors.ToDictionary(t => t, t => ranges.Range(t, how)),
                $"int8 QDQ: Conv/Gemm weights int8 symmetric per output channel, activations uint8 asymmetric, biases int32; " +
                $"ranges by {how.ToString().ToLowerInvariant()} over {faces.Count} faces of {Path.GetFileName(p.GetValue(data)!)}");
            ModelFile.Save(int8, target);
            Console.WriteLine($"{tensors.Count} activations and {int8.Graph.Node.Count(n => n.OpType is "Conv" or "Gemm")} Conv/Gemm nodes quantized → {target}");

            var check = p.GetValue(compare) is { } c ? Spread(FaceInputs.Load(c, p.GetValue(compareLandmarks), p.GetValue(compareIdentities)), 4096) : calibration;
            var (mean, min) = Cosines(source, target, Tensors(check, contract), Options.KernelsOption.Parse(p, kernels));
            Console.WriteLine($"float32 vs int8 embeddings of {check.Count} {(p.GetValue(compare) is null ? "calibration" : "comparison")} faces: cosine mean {mean:F5}, min {min:F5}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>At most <paramref name="count"/> inputs, evenly spaced over the list (all identities, deterministic).</summary>
    private static IReadOnlyList<FaceInput> Spread(IReadOnlyList<FaceInput> all, int count) =>
        all.Count <= count ? all : Enumerable.Range(0, count).Select(i => all[(int)((long)i * all.Count / count)]).ToList();

    /// <summary>Each usable input as the network's input tensor, prepared exactly as the Embedder prepares it.</summary>
    internal static List<float[]> Tensors(IReadOnlyList<FaceInput> inputs, InputContract contract)
    {
        var preparation = new FaceInputPreparation(contract);
        var result = new List<float[]>();
        foreach (var input in inputs)
        {
            try { result.Add(preparation.Prepare(FaceImage.FromFile(input.Path, input.Landmarks))); }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or Models.Errors.FaceInputException or IOException)
            {
                Console.Error.WriteLine($"warning: skipped '{input.Path}': {e.Message}");
            }
        }
        if (result.Count == 0) throw new InvalidDataException("None of the faces could be used.");
        return result;
    }

    /// <summary>Mean and minimum cosine between the two models' embeddings of the same faces.</summary>
    private static (double Mean, double Min) Cosines(string fp32, string int8, List<float[]> faces, Models.Native.Kernels kernels)
    {
        using var a = new Embedder(fp32, new EmbedderOptions { Kernels = kernels });
        using var b = new Embedder(int8, new EmbedderOptions { Kernels = kernels });
        double sum = 0, min = double.MaxValue;
        foreach (var face in faces)
        {
            double cos = TensorPrimitives.CosineSimilarity(a.EmbedTensor(face), b.EmbedTensor(face));
            sum += cos;
            min = Math.Min(min, cos);
        }
        return (sum / faces.Count, min);
    }
}
