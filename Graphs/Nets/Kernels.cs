namespace SphereFace.Graphs.Nets;

/// <summary>
/// Which ops a net's convolutions are built from (docs/kernels.md). It changes how a graph computes, never what:
/// every choice trains the same parameters, with the same names and shapes.
/// </summary>
public enum Kernels
{
    /// <summary>Standard ONNX Conv on NCHW tensors (gradients in standard ops): runs on any ONNX runtime and execution provider.</summary>
    Standard,
    /// <summary>
    /// The oneDNN kernels of <c>libsphereface_dnnl.so</c> on nChw16c activations: Winograd for stride-1 3×3 convs where
    /// oneDNN offers it on the CPU at hand, direct convolution elsewhere. CPU only.
    /// </summary>
    OneDnn,
    /// <summary>The oneDNN kernels with direct convolution everywhere (no Winograd).</summary>
    OneDnnDirect,
}

/// <summary>Names and parsing of <see cref="Kernels"/> ("standard", "onednn", "onednn-direct").</summary>
public static class KernelNames
{
    /// <summary>All names, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = ["standard", "onednn", "onednn-direct"];

    /// <summary>The name of <paramref name="kernels"/>.</summary>
    public static string Name(this Kernels kernels) => All[(int)kernels];

    /// <summary>True for the kernels of the oneDNN plugin.</summary>
    public static bool UsesDnnl(this Kernels kernels) => kernels != Kernels.Standard;

    /// <summary>Parses a name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="All"/>.</exception>
    public static Kernels Parse(string name)
    {
        int i = All.ToList().FindIndex(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? (Kernels)i : throw new ArgumentException($"Unknown kernels '{name}'; expected {string.Join(", ", All)}.");
    }
}
