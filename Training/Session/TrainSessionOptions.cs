using SphereFace.Models.Native;
using Microsoft.ML.OnnxRuntime;

namespace SphereFace.Training.Session;

/// <summary>
/// How a <see cref="TrainStepSession"/> is set up.
/// </summary>
/// <param name="Threads">Intra-op threads; 0 means all cores (<see cref="Environment.ProcessorCount"/>).</param>
/// <param name="Device">Execution provider.</param>
/// <param name="DeviceId">CUDA device ordinal (ignored on CPU).</param>
/// <param name="Configure">Extra set-up of the ONNX Runtime session options before the session is created,
/// e.g. registering the margin plugin library when the graph needs it.</param>
/// <param name="DataParallel">In a data-parallel run, the ranks every step's carried outputs are averaged over
/// (CPU only); null for one process.</param>
public sealed record TrainSessionOptions(
    int Threads = 0,
    ExecutionDevice Device = ExecutionDevice.Cpu,
    int DeviceId = 0,
    Action<SessionOptions>? Configure = null,
    Distributed.DataParallel? DataParallel = null)
{
    /// <summary>The thread count actually used (resolves 0 to the number of cores).</summary>
    public int ResolvedThreads => Threads > 0 ? Threads
        : Threads == 0 ? Environment.ProcessorCount
        : throw new ArgumentException($"Thread count must be ≥ 0 (0 = all cores), got {Threads}.");
}
