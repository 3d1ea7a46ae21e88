namespace SphereFace.Training.Session;

/// <summary>Where the training step runs.</summary>
public enum ExecutionDevice
{
    /// <summary>ONNX Runtime's CPU execution provider (the default build).</summary>
    Cpu,
    /// <summary>ONNX Runtime's CUDA execution provider (only in a build made with <c>-p:UseCuda=true</c>).</summary>
    Cuda,
}

/// <summary>Parsing and capability checks for <see cref="ExecutionDevice"/>.</summary>
public static class ExecutionDevices
{
    /// <summary>True when this build carries the CUDA-enabled ONNX Runtime package.</summary>
    public static bool CudaBuild { get; } =
#if SPHEREFACE_CUDA
        true;
#else
        false;
#endif

    /// <summary>Parses "cpu" or "cuda" (case-insensitive); anything else is an <see cref="ArgumentException"/>.</summary>
    public static ExecutionDevice Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionDevice.Cpu,
        "cuda" or "gpu" => ExecutionDevice.Cuda,
        _ => throw new ArgumentException($"Unknown device '{text}'; expected cpu or cuda."),
    };

    /// <summary>Throws a <see cref="NotSupportedException"/> that says how to rebuild when <paramref name="device"/> is not in this build.</summary>
    public static void EnsureAvailable(ExecutionDevice device)
    {
        if (device == ExecutionDevice.Cuda && !CudaBuild)
            throw new NotSupportedException(
                "--device cuda needs the CUDA build of ONNX Runtime, but this build is CPU-only. Rebuild with " +
                "`dotnet build Cli/SphereFace.Cli.csproj -c Release -p:UseCuda=true` (uses the Microsoft.ML.OnnxRuntime.Gpu " +
                "package and needs CUDA 12 + cuDNN 9 on the machine), or run with --device cpu.");
    }
}
