namespace SphereFace.Models.Errors;

/// <summary>What kind of expected failure a <see cref="SphereFaceException"/> reports.</summary>
public enum SphereFaceErrorCode
{
    /// <summary>The requested execution device is not available (no CUDA driver, or a CPU-only build).</summary>
    DeviceUnavailable,
    /// <summary>A native plugin library is missing or ONNX Runtime refused to register it.</summary>
    PluginUnavailable,
    /// <summary>An external program the command needs (Debian's python3 and its modules) is missing or failed.</summary>
    ExternalToolFailed,
    /// <summary>Training produced a non-finite loss or non-finite parameters; the last good checkpoint is kept.</summary>
    TrainingDiverged,
    /// <summary>A step of a pipeline (demo, experiment) failed; it has already reported why.</summary>
    StepFailed,
    /// <summary>A collective of a data-parallel run failed or timed out, or the ranks disagree (MPI).</summary>
    DistributedFailure,
    /// <summary>
    /// A native library the application needs cannot be loaded: ONNX Runtime's or OpenCV's (a NuGet package to add) or a
    /// system library they need (a Debian package to install); the message names which.
    /// </summary>
    NativeLibraryMissing,
}
