using Microsoft.ML.OnnxRuntime;

namespace SphereFace.Inference;

/// <summary>How an <see cref="Embedder"/> computes and runs.</summary>
public sealed record EmbedderOptions
{
    /// <summary>
    /// Concatenate the features of the face and of its horizontal mirror (the paper's test representation,
    /// 2 × 512 = 1024 values) instead of returning the single feature. The concatenation is L2-normalised as a whole.
    /// </summary>
    public bool FlipConcatenation { get; init; }

    /// <summary>CPU (default) or CUDA.</summary>
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Cpu;

    /// <summary>CUDA device ordinal when <see cref="Device"/> is CUDA.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Threads ONNX Runtime uses inside one operator; 0 lets it choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Largest number of faces sent to the graph in one run; longer batches are split.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>Graph optimisation level (all optimisations by default).</summary>
    public GraphOptimizationLevel GraphOptimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Further session settings applied last (e.g. <c>AddSessionConfigEntry</c>), for tuning and benchmarks.</summary>
    public Action<SessionOptions>? ConfigureSession { get; init; }
}
