using SphereFace.Models.Native;

namespace SphereFace.Tests.Support;

/// <summary>
/// The oneDNN kernels as this machine runs them (the block of its CPU's vectors, after <c>ONEDNN_MAX_CPU_ISA</c>): the
/// kernel tests build their graphs in this layout, so one suite tests the AVX-512 path on an AVX-512 machine and the
/// AVX2 path under <c>ONEDNN_MAX_CPU_ISA=AVX2</c> (Tests/run-tests.sh runs the kernel tests both ways there).
/// </summary>
internal static class TestKernels
{
    /// <summary>The machine's block (8 or 16); fails the test where the kernels cannot run fast here.</summary>
    public static int Block
    {
        get
        {
            var machine = DnnlPlugin.Machine;
            if (machine.Problem is { } problem) Assert.Fail($"the oneDNN kernels cannot run on this machine: {problem}");
            return machine.Block;
        }
    }

    /// <summary><paramref name="kernels"/> in this machine's block.</summary>
    public static KernelChoice For(Kernels kernels) => kernels.UsesDnnl() ? new KernelChoice(kernels, Block) : KernelChoice.Standard;
}
