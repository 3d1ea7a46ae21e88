namespace SphereFace.Inference;

/// <summary>Where an <see cref="Embedder"/> runs its graph.</summary>
public enum ExecutionDevice
{
    /// <summary>ONNX Runtime's CPU execution provider (the default build).</summary>
    Cpu,
    /// <summary>ONNX Runtime's CUDA execution provider; needs a build with <c>-p:UseCuda=true</c>.</summary>
    Cuda,
}
