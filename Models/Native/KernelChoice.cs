namespace SphereFace.Models.Native;

/// <summary>
/// The kernels a graph is built with: <see cref="Kernels"/> (never <see cref="Kernels.Auto"/>) and, for the oneDNN
/// kernels, the channel block of their activations (<see cref="Block"/>: 16 for AVX-512's vectors, 8 for AVX2's).
/// <see cref="Resolve"/> makes the choice for this machine and says why in <see cref="Reason"/>.
/// </summary>
/// <param name="Kernels">Standard, OneDnn or OneDnnDirect.</param>
/// <param name="Block">8 or 16 with the oneDNN kernels, 0 with the standard ones.</param>
/// <param name="Reason">Why the standard kernels replace the oneDNN ones on this machine (for the log); null otherwise.</param>
public sealed record KernelChoice(Kernels Kernels, int Block = 0, string? Reason = null)
{
    /// <summary>The standard ONNX ops.</summary>
    public static KernelChoice Standard { get; } = new(Kernels.Standard);

    /// <summary>The oneDNN kernels with AVX-512's block (16): what graphs were built with before the block was a choice.</summary>
    public static KernelChoice OneDnn16 { get; } = new(Kernels.OneDnn, 16);

    /// <summary>True for the oneDNN kernels.</summary>
    public bool UsesDnnl => Kernels.UsesDnnl();

    /// <summary>The activation layout: "NCHW", "nChw8c" or "nChw16c".</summary>
    public string Layout => UsesDnnl ? $"nChw{Block}c" : "NCHW";

    /// <summary>One line for logs, e.g. "onednn (nChw8c, oneDNN avx2)" or "standard: …reason…".</summary>
    public override string ToString() =>
        (UsesDnnl ? $"{Kernels.Name()} ({Layout}, oneDNN {DnnlPlugin.Machine.Isa})" : Kernels.Name()) + (Reason is null ? "" : $": {Reason}");

    /// <summary>
    /// The kernels to build with on this machine for <paramref name="requested"/> on <paramref name="device"/>:
    /// standard ops off the CPU, when asked for, or when the oneDNN library cannot be loaded or would run a reference
    /// (unoptimised) implementation of any primitive the nets make (<see cref="DnnlPlugin.Probe"/>); else the oneDNN
    /// kernels in the block the CPU prefers (<see cref="Kernels.Auto"/> picks <see cref="Kernels.OneDnn"/>). An explicit
    /// oneDNN request that this machine cannot run fast falls back to the standard kernels too, with the reason.
    /// </summary>
    public static KernelChoice Resolve(Kernels requested, ExecutionDevice device = ExecutionDevice.Cpu)
    {
        if (requested == Kernels.Standard) return Standard;
        if (device != ExecutionDevice.Cpu)
            return Standard with { Reason = $"the oneDNN kernels run on the CPU only; {device.ToString().ToLowerInvariant()} runs the standard ones" };
        var machine = DnnlPlugin.Machine;
        if (machine.Problem is { } problem) return Standard with { Reason = problem };
        return new KernelChoice(requested == Kernels.Auto ? Kernels.OneDnn : requested, machine.Block);
    }

    /// <summary>
    /// Whether this machine runs a graph built with <paramref name="kernels"/> and <paramref name="block"/> without a
    /// reference implementation; <paramref name="problem"/> says why not.
    /// </summary>
    public static bool CanRun(Kernels kernels, int block, out string? problem)
    {
        problem = null;
        if (!kernels.UsesDnnl()) return true;
        problem = DnnlPlugin.ProblemWith(block);
        return problem is null;
    }
}
