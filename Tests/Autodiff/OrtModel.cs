using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Autodiff;

/// <summary>Runs an in-memory ONNX model in ONNX Runtime (CPU) with float/int64 inputs by name; test helper.</summary>
internal sealed class OrtModel : IDisposable
{
    private readonly InferenceSession _session;

    public OrtModel(ModelProto model, int threads = 1)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        SphereFace.Models.Native.PluginLibrary.RegisterFor(options, model);
        _session = new InferenceSession(model.ToByteArray(), options);
    }

    /// <summary>Runs the model and returns the requested outputs as float arrays.</summary>
    public float[][] Run(IReadOnlyDictionary<string, (long[] Shape, Array Data)> inputs, IReadOnlyList<string> outputs)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var (_, (shape, data)) in inputs)
                values.Add(data switch
                {
                    float[] f => OrtValue.CreateTensorValueFromMemory(f, shape),
                    long[] l => OrtValue.CreateTensorValueFromMemory(l, shape),
                    _ => throw new ArgumentException("float or int64 inputs only"),
                });
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, inputs.Keys.ToArray(), values, outputs.ToArray());
            return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
