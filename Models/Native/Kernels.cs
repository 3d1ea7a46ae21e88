namespace SphereFace.Models.Native;

/// <summary>
/// Which ops compute a net's convolutions (docs/kernels.md). It changes how a graph computes, never what: every choice
/// trains the same parameters, with the same names and shapes, and serves the same embedding model.
/// </summary>
public enum Kernels
{
    /// <summary>
    /// The fastest choice this machine can run (<see cref="KernelChoice.Resolve"/>): the oneDNN kernels in the channel
    /// block the CPU's vectors want where oneDNN has optimised code for every primitive the net makes, else
    /// <see cref="Standard"/>.
    /// </summary>
    Auto,
    /// <summary>Standard ONNX Conv on NCHW tensors (gradients in standard ops): runs on any ONNX runtime and execution provider.</summary>
    Standard,
    /// <summary>
    /// The oneDNN kernels of <c>libsphereface_dnnl.so</c> on blocked activations (nChw16c on AVX-512, nChw8c on AVX2):
    /// Winograd for stride-1 3×3 convs (oneDNN's where it has one, the plugin's own elsewhere), direct convolution
    /// elsewhere. CPU only.
    /// </summary>
    OneDnn,
    /// <summary>The oneDNN kernels with direct convolution everywhere (no Winograd).</summary>
    OneDnnDirect,
}

/// <summary>Names and parsing of <see cref="Kernels"/> ("auto", "standard", "onednn", "onednn-direct").</summary>
public static class KernelNames
{
    /// <summary>All names, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = ["auto", "standard", "onednn", "onednn-direct"];

    /// <summary>The name of <paramref name="kernels"/>.</summary>
    public static string Name(this Kernels kernels) => All[(int)kernels];

    /// <summary>True for the kernels of the oneDNN plugin (<see cref="Kernels.OneDnn"/>, <see cref="Kernels.OneDnnDirect"/>).</summary>
    public static bool UsesDnnl(this Kernels kernels) => kernels is Kernels.OneDnn or Kernels.OneDnnDirect;

    /// <summary>Parses a name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="All"/>.</exception>
    public static Kernels Parse(string name)
    {
        int i = All.ToList().FindIndex(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? (Kernels)i : throw new Errors.InputException($"Unknown kernels '{name}'; expected {string.Join(", ", All)}.");
    }
}
