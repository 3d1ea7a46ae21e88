using SphereFace.Models.Errors;
using System.Runtime.InteropServices;

namespace SphereFace.Models.Native;

/// <summary>Where ONNX Runtime runs a graph (training step or embedding).</summary>
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
    /// <summary>The NVIDIA driver's library that ONNX Runtime's CUDA provider loads.</summary>
    public const string CudaDriverLibrary = "libcuda.so.1";

    /// <summary>True when this build carries the CUDA-enabled ONNX Runtime package.</summary>
    public static bool CudaBuild =>
#if SPHEREFACE_CUDA
        true;
#else
        false;
#endif

    /// <summary>Parses "cpu" or "cuda" (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static ExecutionDevice Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionDevice.Cpu,
        "cuda" => ExecutionDevice.Cuda,
        _ => throw new Errors.InputException($"Unknown device '{text}'; expected cpu or cuda."),
    };

    /// <summary>The device's CLI name ("cpu", "cuda").</summary>
    public static string Name(this ExecutionDevice device) => device == ExecutionDevice.Cuda ? "cuda" : "cpu";

    /// <summary>
    /// Throws when <paramref name="device"/> cannot run here: CUDA on the CPU-only build (the message says how to rebuild),
    /// or CUDA without an NVIDIA driver (<see cref="CudaDriverLibrary"/> cannot be loaded).
    /// </summary>
    /// <exception cref="SphereFaceException">The device is unavailable (<see cref="SphereFaceErrorCode.DeviceUnavailable"/>); the message says why.</exception>
    public static void EnsureAvailable(ExecutionDevice device)
    {
        if (device != ExecutionDevice.Cuda) return;
        if (!CudaBuild)
            throw new SphereFaceException(SphereFaceErrorCode.DeviceUnavailable,
                "device cuda needs the CUDA build of ONNX Runtime, but this build is CPU-only. Rebuild with " +
                "`dotnet build Cli/SphereFace.Cli.csproj -c Release -p:UseCuda=true` (uses Microsoft.ML.OnnxRuntime.Gpu 1.31.0 " +
                "and needs CUDA 13 + cuDNN 9 on the machine), or use device cpu.");
        if (!NativeLibrary.TryLoad(CudaDriverLibrary, out var handle))
            throw new SphereFaceException(SphereFaceErrorCode.DeviceUnavailable, $"no CUDA device: {CudaDriverLibrary} not found (the NVIDIA driver is not installed or not visible); use device cpu.");
        NativeLibrary.Free(handle);
    }
}
