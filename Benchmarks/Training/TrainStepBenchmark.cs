using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Session;

namespace SphereFace.Benchmarks.Training;

/// <summary>Figures of one benchmark run of the training step.</summary>
public sealed record TrainBenchResult(double ImagesPerSecond, double SecondsPerStep, float FirstLoss, float LastLoss);

/// <summary>
/// Times the full training step (forward, backward, SGD update) through the training runner
/// (<see cref="TrainStepSession"/>: parameters and momenta ping-pong between two IOBindings, nothing
/// parameter-sized is allocated or copied per step) on a fixed random batch.
/// </summary>
public sealed class TrainStepBenchmark : IDisposable
{
    private readonly TrainStepSession _session;

    /// <summary>
    /// Creates the session with the parameters of <paramref name="store"/> and zero momenta.
    /// </summary>
    public TrainStepBenchmark(TrainStepGraph step, ParameterStore store, int threads, ulong seed = 1)
    {
        var plugins = step.Plugins; // the options keep their delegate: capture the list, not the graph with its initial values
        var options = new TrainSessionOptions(threads, Configure: o =>
        {
            foreach (var plugin in plugins) plugin.Register(o);
        });
        _session = new TrainStepSession(step.Model, step.Contract, options);
        var rng = new SeededRandom(seed);
        var data = _session.DataBuffer;
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        var labels = _session.LabelBuffer;
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(step.Config.Classes);
        foreach (var c in step.Carried)
            if (c.Kind == CarriedKind.Parameter) _session.WriteCarried(c.Input, store[c.Input].Data);
    }

    /// <summary>Runs <paramref name="warmup"/> untimed and <paramref name="steps"/> timed steps (lr 0.01, λ 5).</summary>
    public TrainBenchResult Run(int warmup, int steps)
    {
        float first = float.NaN;
        for (int i = 0; i < warmup; i++)
        {
            float loss = _session.Step(0.01f, 5f).Loss;
            if (i == 0) first = loss;
        }
        float last = float.NaN;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            last = _session.Step(0.01f, 5f).Loss;
            if (float.IsNaN(first)) first = last;
        }
        sw.Stop();
        double perStep = sw.Elapsed.TotalSeconds / Math.Max(1, steps);
        return new TrainBenchResult(_session.BatchSize / perStep, perStep, first, last);
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps of <paramref name="step"/> in a separate ONNX Runtime session with
    /// profiling on (plain Run with the initial parameters; per-node kernel times do not depend on the binding)
    /// and returns the profile JSON file, written under <paramref name="prefix"/>.
    /// </summary>
    public static string Profile(TrainStepGraph step, ParameterStore store, int threads, int steps, string prefix)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, EnableMemoryPattern = false,
            // The prefix must be set before EnableProfiling: the setter starts profiling with the prefix it sees then.
            ProfileOutputPathPrefix = prefix, EnableProfiling = true,
        };
        foreach (var plugin in step.Plugins) plugin.Register(options);
        using var session = new InferenceSession(step.Model.ToByteArray(), options);
        int batch = step.Config.BatchSize;
        var rng = new SeededRandom(1);
        var data = new float[batch * 3 * 112 * 96];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        var labels = new long[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(step.Config.Classes);
        float[] lr = [0.01f], lambda = [5f];
        var names = new List<string> { TrainStepContract.DataInput, TrainStepContract.LabelInput, TrainStepContract.LrInput, TrainStepContract.LambdaInput };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(data, [batch, 3, 112, 96]), OrtValue.CreateTensorValueFromMemory(labels, [batch]),
            OrtValue.CreateTensorValueFromMemory(lr, []), OrtValue.CreateTensorValueFromMemory(lambda, []),
        };
        try
        {
            foreach (var c in step.Carried)
            {
                names.Add(c.Input);
                values.Add(OrtValue.CreateTensorValueFromMemory(
                    c.Kind == CarriedKind.Parameter ? store[c.Input].Data : new float[c.Shape.Aggregate(1L, (a, d) => a * d)], c.Shape));
            }
            using var runOptions = new RunOptions();
            for (int i = 0; i < steps; i++)
            {
                using var outputs = session.Run(runOptions, names, values, [TrainStepContract.LossOutput]);
            }
            return session.EndProfiling();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
