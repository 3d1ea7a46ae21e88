using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;

namespace SphereFace.Training.Bench;

/// <summary>Figures of one benchmark run of the training step.</summary>
public sealed record TrainBenchResult(double ImagesPerSecond, double SecondsPerStep, float FirstLoss, float LastLoss, string? ProfilePath);

/// <summary>
/// Times the full training step (forward, backward, SGD update) in an ONNX Runtime InferenceSession: random
/// batch, parameters and momenta in pre-allocated OrtValues that ping-pong between two bindings (the outputs
/// of step t are bound as the inputs of step t + 1), so no parameter-sized buffer is allocated or copied per step.
/// </summary>
public sealed class TrainStepBenchmark : IDisposable
{
    private readonly TrainStepGraph _step;
    private readonly InferenceSession _session;
    private readonly List<OrtValue> _values = [];
    private readonly OrtIoBinding[] _bindings;
    private readonly float[] _loss = new float[1];
    private readonly int _batch;

    /// <summary>Creates the session; <paramref name="profilePrefix"/> non-null turns on ORT profiling.</summary>
    public TrainStepBenchmark(TrainStepGraph step, ParameterStore store, int threads, string? profilePrefix = null, ulong seed = 1)
    {
        _step = step;
        _batch = step.Config.BatchSize;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }
        _session = new InferenceSession(step.Model.ToByteArray(), options);

        var rng = new SeededRandom(seed);
        var data = new float[_batch * 3 * 112 * 96];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        var labels = new long[_batch];
        for (int i = 0; i < _batch; i++) labels[i] = rng.NextInt(step.Config.Classes);
        var fixedInputs = new (string, OrtValue)[]
        {
            (TrainStepGraph.DataInput, Keep(OrtValue.CreateTensorValueFromMemory(data, [_batch, 3, 112, 96]))),
            (TrainStepGraph.LabelInput, Keep(OrtValue.CreateTensorValueFromMemory(labels, [_batch]))),
            (TrainStepGraph.LrInput, Keep(OrtValue.CreateTensorValueFromMemory(new[] { 0.01f }, []))),
            (TrainStepGraph.LambdaInput, Keep(OrtValue.CreateTensorValueFromMemory(new[] { 5f }, []))),
        };
        var ping = new OrtValue[step.Carried.Count];
        var pong = new OrtValue[step.Carried.Count];
        for (int i = 0; i < step.Carried.Count; i++)
        {
            var c = step.Carried[i];
            var init = c.Kind == CarriedKind.Parameter ? (float[])store[c.Input].Data.Clone() : new float[c.Shape.Aggregate(1L, (a, d) => a * d)];
            ping[i] = Keep(OrtValue.CreateTensorValueFromMemory(init, c.Shape));
            pong[i] = Keep(OrtValue.CreateTensorValueFromMemory(new float[init.Length], c.Shape));
        }
        var lossValue = Keep(OrtValue.CreateTensorValueFromMemory(_loss, []));
        var accuracyValue = Keep(OrtValue.CreateTensorValueFromMemory(new float[1], []));
        _bindings = [Bind(fixedInputs, ping, pong, lossValue, accuracyValue), Bind(fixedInputs, pong, ping, lossValue, accuracyValue)];
    }

    private OrtValue Keep(OrtValue v)
    {
        _values.Add(v);
        return v;
    }

    private OrtIoBinding Bind((string, OrtValue)[] fixedInputs, OrtValue[] from, OrtValue[] to, OrtValue loss, OrtValue accuracy)
    {
        var b = _session.CreateIoBinding();
        foreach (var (name, v) in fixedInputs) b.BindInput(name, v);
        for (int i = 0; i < _step.Carried.Count; i++)
        {
            b.BindInput(_step.Carried[i].Input, from[i]);
            b.BindOutput(_step.Carried[i].Output, to[i]);
        }
        b.BindOutput(TrainStepGraph.LossOutput, loss);
        b.BindOutput(TrainStepGraph.AccuracyOutput, accuracy);
        return b;
    }

    /// <summary>Runs <paramref name="warmup"/> untimed and <paramref name="steps"/> timed steps.</summary>
    public TrainBenchResult Run(int warmup, int steps)
    {
        using var runOptions = new RunOptions();
        int t = 0;
        float first = float.NaN;
        for (int i = 0; i < warmup; i++, t++)
        {
            _session.RunWithBinding(runOptions, _bindings[t & 1]);
            if (i == 0) first = _loss[0];
        }
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++, t++)
        {
            _session.RunWithBinding(runOptions, _bindings[t & 1]);
            if (float.IsNaN(first)) first = _loss[0];
        }
        sw.Stop();
        double perStep = sw.Elapsed.TotalSeconds / Math.Max(1, steps);
        return new TrainBenchResult(_batch / perStep, perStep, first, _loss[0], null);
    }

    /// <summary>Stops profiling and returns the profile file (profiling sessions only).</summary>
    public string EndProfiling() => _session.EndProfiling();

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var b in _bindings) b.Dispose();
        _session.Dispose();
        foreach (var v in _values) v.Dispose();
    }
}
