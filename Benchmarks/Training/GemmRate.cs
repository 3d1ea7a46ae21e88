using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Benchmarks.Training;

/// <summary>
/// The rate ONNX Runtime reaches on one large single-precision matrix product (Gemm of two graph inputs) with a
/// given thread count: the practical ceiling for the matrix-product ops of a training step on this machine.
/// </summary>
public static class GemmRate
{
    /// <summary>
    /// Times C = A·B with A, B of <paramref name="size"/> × <paramref name="size"/> (random values) for at least
    /// <paramref name="seconds"/> after two untimed runs; returns the median run's GFLOP/s (2·size³ flops per run).
    /// </summary>
    public static double Measure(int threads, int size = 2048, double seconds = 2.0)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be ≥ 1");
        var g = new GraphBuilder("gemm_rate", ParameterMode.Inputs);
        var a = g.Input("a", ElementType.Float, size, size);
        var b = g.Input("b", ElementType.Float, size, size);
        g.Output(g.Node("Gemm", [a, b]), "c");
        using var options = new SessionOptions { IntraOpNumThreads = threads, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(g.ToModel().ToByteArray(), options);
        var rng = new Random(1);
        var data = new float[(long)size * size];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() - 0.5);
        using var va = OrtValue.CreateTensorValueFromMemory(data, [size, size]);
        using var vb = OrtValue.CreateTensorValueFromMemory(data, [size, size]);
        using var runOptions = new RunOptions();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (int run = 0; run < 3 || total.Elapsed.TotalSeconds < seconds; run++)
        {
            long start = Stopwatch.GetTimestamp();
            using (session.Run(runOptions, ["a", "b"], [va, vb], ["c"])) { }
            if (run >= 2) times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (run == 1) total.Restart();
        }
        times.Sort();
        return 2.0 * size * size * (double)size / times[times.Count / 2] / 1e9;
    }
}
