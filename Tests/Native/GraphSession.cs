using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Native;

/// <summary>An ONNX Runtime session over an in-memory model, optionally with the plugin libraries its custom ops need registered.</summary>
internal sealed class GraphSession : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;

    public GraphSession(ModelProto model, bool plugin, int threads = 1)
    {
        _options = new SessionOptions { IntraOpNumThreads = threads };
        try
        {
            if (plugin) PluginLibrary.RegisterFor(_options, model);
            _session = new InferenceSession(model.ToByteArray(), _options);
        }
        catch
        {
            _options.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model; inputs are float[] or long[] with shapes; returns every output as float[].</summary>
    public Dictionary<string, float[]> Run(params (string Name, Array Data, long[] Shape)[] inputs)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var (_, data, shape) in inputs)
                values.Add(data switch
                {
                    float[] f => OrtValue.CreateTensorValueFromMemory(f, shape),
                    long[] l => OrtValue.CreateTensorValueFromMemory(l, shape),
                    _ => throw new ArgumentException("float[] or long[] expected"),
                });
            var names = _session.OutputMetadata.Keys.ToArray();
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, names);
            return names.Zip(outputs).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
