using SphereFace.Models.Onnx;
using SphereFace.Models.Native;
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

    /// <summary>
    /// Let ONNX Runtime's worker threads busy-wait between operators (ONNX Runtime's default, and this option's).
    /// On a quiet 2-core machine it makes little difference to SF-20 batch-1 latency (<c>bench embed --variants</c>,
    /// three runs: 28.7 / 27.2 / 28.1 ms spinning vs 28.0 / 28.4 / 28.2 ms not); on a shared, busy machine the
    /// spinning threads steal the cores the run needs (316 ms with spinning vs 199 ms without, measured under a load
    /// average near 20) — turn it off there. With the fused oneDNN kernels (<see cref="Kernels"/>) spinning is
    /// always off: oneDNN's OpenMP threads and ONNX Runtime's pool share the cores.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>Largest number of faces sent to the graph in one run; longer batches are split.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>Graph optimisation level (all optimisations by default).</summary>
    public GraphOptimizationLevel GraphOptimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Before ONNX Runtime loads the graph, rewrite its PRelu nodes (slopes ≤ 1) as BatchNormalization + Relu + Add so
    /// that ONNX Runtime's NCHWc layout transformer keeps the whole net in its blocked layout
    /// (<see cref="PReluAsBlockedOps"/>; equal to PRelu up to float rounding for finite activations).
    /// CPU only; on by default. The model file is not changed.
    /// </summary>
    public bool BlockedLayoutPRelu { get; init; } = true;

    /// <summary>
    /// Which kernels run the convolutions of a float model (docs/kernels.md): <see cref="Kernels.Auto"/> (default) the
    /// oneDNN plugin (<c>libsphereface_dnnl.so</c>) where it runs fast on this CPU — before ONNX Runtime loads the graph
    /// each Conv is fused with its PRelu and residual Add into one kernel on blocked activations
    /// (<see cref="GraphRewrites.FusedDnnlConvs"/>; equal to the original graph up to float rounding) — else ONNX
    /// Runtime's own kernels with <see cref="BlockedLayoutPRelu"/>; <see cref="Kernels.OneDnn"/> the same (falling
    /// back likewise), <see cref="Kernels.OneDnnDirect"/> without Winograd, <see cref="Kernels.Standard"/> ONNX
    /// Runtime's kernels always. <see cref="Embedder.KernelChoice"/> says what ran and why. The model file is not changed.
    /// </summary>
    public Kernels Kernels { get; init; } = Kernels.Auto;

    /// <summary>
    /// How the embedder finds faces in photos given without landmarks (<see cref="Embedder.EmbedFaces(FaceImage)"/>, and
    /// <see cref="Embedder.Embed(FaceImage)"/> of a photo that is not an aligned face); null: the detector's defaults.
    /// </summary>
    public Detection.FaceDetectorOptions? Detector { get; init; }

    /// <summary>Where the embedder reports a kernel fallback (one line naming the instruction set and the op); null: nowhere.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Further session settings applied last (e.g. <c>AddSessionConfigEntry</c>), for tuning and benchmarks.</summary>
    public Action<SessionOptions>? ConfigureSession { get; init; }
}
