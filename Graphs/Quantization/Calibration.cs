using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SphereFace.Models;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Quantization;

/// <summary>
/// Runs the float32 embedding graph on calibration faces with every activation <see cref="QdqQuantizer"/> quantizes
/// exposed as an extra graph output, and records their ranges (<see cref="ActivationRanges"/>).
/// </summary>
public static class Calibration
{
    /// <summary>
    /// Observes <paramref name="faces"/> (preprocessed [3, H, W] tensors of the model's contract) in batches of
    /// <paramref name="batch"/>; with <see cref="CalibrationMethod.Percentile"/> a second pass fills the histograms.
    /// </summary>
    /// <exception cref="ArgumentException">No faces, or a face of the wrong length.</exception>
    public static ActivationRanges Observe(ModelProto model, IReadOnlyList<float[]> faces, CalibrationMethod method, int batch = 16, int threads = 0)
    {
        if (faces.Count == 0) throw new ArgumentException("Calibration needs at least one face.");
        var contract = InputContract.FromModel(model, "model");
        int length = 3 * contract.Height * contract.Width;
        if (faces.Any(f => f.Length != length)) throw new ArgumentException($"Every calibration face must have {length} values (3×{contract.Height}×{contract.Width}).");
        var tensors = QdqQuantizer.CalibratedTensors(model);
        var exposed = model.Clone();
        var outputs = exposed.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = exposed.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var t in tensors.Where(t => !outputs.Contains(t) && !inputs.Contains(t)))
            exposed.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)ElementType.Float } } });
        using var options = new SessionOptions { IntraOpNumThreads = threads };
        using var session = new InferenceSession(exposed.ToByteArray(), options);
        var ranges = new ActivationRanges();
        int passes = method == CalibrationMethod.Percentile ? 2 : 1;
        for (int pass = 0; pass < passes; pass++)
            for (int start = 0; start < faces.Count; start += batch)
            {
                int n = Math.Min(batch, faces.Count - start);
                var data = new float[n * length];
                for (int i = 0; i < n; i++) faces[start + i].CopyTo(data, i * length);
                var input = NamedOnnxValue.CreateFromTensor(contract.InputName, new DenseTensor<float>(data, [n, 3, contract.Height, contract.Width]));
                using var results = session.Run([input], tensors.Where(t => !inputs.Contains(t)).ToArray());
                void Record(string name, ReadOnlySpan<float> values)
                {
                    if (pass == 0) ranges.Observe(name, values);
                    else ranges.Count(name, values);
                }
                if (inputs.Contains(contract.InputName) && tensors.Contains(contract.InputName)) Record(contract.InputName, data);
                foreach (var r in results) Record(r.Name, ((DenseTensor<float>)r.AsTensor<float>()).Buffer.Span);
            }
        return ranges;
    }
}
