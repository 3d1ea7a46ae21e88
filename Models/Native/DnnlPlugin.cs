using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace SphereFace.Models.Native;

/// <summary>
/// The ops of the oneDNN kernel library (<see cref="PluginLibrary.Dnnl"/>, sources in Models/Native/Dnnl; contract in
/// docs/kernels.md): domain <see cref="Domain"/>, ops <see cref="ConvOp"/>, <see cref="ConvGradInputOp"/>,
/// <see cref="ConvGradWeightOp"/>, <see cref="PReluOp"/>, <see cref="PReluGradOp"/> and <see cref="GemmOp"/>. Activations between these ops are 5-D blocked
/// tensors [N, C/b, H, W, b] (nChw8c or nChw16c, b the graph's block: <see cref="KernelChoice.Block"/>).
/// </summary>
public static partial class DnnlPlugin
{
    /// <summary>Custom operator-set domain of the library's ops (version 1).</summary>
    public const string Domain = "ai.sphereface.dnnl";
    /// <summary>Forward convolution, optionally with PReLU and residual-add post-ops.</summary>
    public const string ConvOp = "Conv";
    /// <summary>Input gradient of a convolution.</summary>
    public const string ConvGradInputOp = "ConvGradInput";
    /// <summary>Weight (and bias) gradient of a convolution.</summary>
    public const string ConvGradWeightOp = "ConvGradWeight";
    /// <summary>PReLU with one slope per channel, on NCHW or nChw16c activations.</summary>
    public const string PReluOp = "PRelu";
    /// <summary>Input and slope gradients of <see cref="PReluOp"/>.</summary>
    public const string PReluGradOp = "PReluGrad";
    /// <summary>ONNX Gemm with the same inputs and attributes, on oneDNN's matmul.</summary>
    public const string GemmOp = "Gemm";
    /// <summary>PReLU on uint8 NHWC activations: DequantizeLinear → Mul(slope) → Max → QuantizeLinear in one pass.</summary>
    public const string QuantizedPReluOp = "QLinearPRelu";
    /// <summary>
    /// The start of the error a node reports when it would run oneDNN's reference (unoptimised) implementation: the
    /// kernels refuse such a node rather than run it orders of magnitude slower (docs/kernels.md).
    /// </summary>
    public const string ReferenceRefused = "no optimised oneDNN kernel";
    /// <summary>The channel blocks the kernels take: 8 (nChw8c, AVX2's vector of floats) and 16 (nChw16c, AVX-512's).</summary>
    public static IReadOnlyList<int> Blocks { get; } = [8, 16];
    /// <summary>
    /// Session config entry that gives the kernels their oneDNN (OpenMP) thread count; <see cref="PluginLibrary.Register(SessionOptions)"/>
    /// sets it from <see cref="SessionOptions.IntraOpNumThreads"/> (0 there: all cores).
    /// </summary>
    public const string ThreadsConfigKey = "sphereface.dnnl.threads";

    /// <summary>A oneDNN primitive a node of this process made: op type, node name and oneDNN's implementation name.</summary>
    public sealed record Implementation(string Op, string Node, string Name);

    /// <summary>
    /// Which oneDNN implementation every plugin node in this process chose so far (e.g. <c>jit_wino_4x3:avx512_core</c>
    /// for Winograd, <c>jit:avx512_core</c> for direct convolution), one entry per node and input shape. Empty before
    /// a session with the library has run.
    /// </summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    public static unsafe IReadOnlyList<Implementation> Implementations()
    {
        var handle = Load();
        var query = (delegate* unmanaged<byte*, int, int>)NativeLibrary.GetExport(handle, "SphereFaceDnnlImplementations");
        int length = query(null, 0);
        var buffer = new byte[length + 1];
        fixed (byte* p = buffer) length = Math.Min(length, query(p, buffer.Length));
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => new Implementation(f[0], f[1], f[2]))
            .ToArray();
    }

    /// <summary>
    /// The best rate of oneDNN's single-precision GEMM on two <paramref name="size"/>² matrices with
    /// <paramref name="threads"/> threads over <paramref name="repeats"/> timed runs, in GFLOP/s: the practical fp32
    /// peak of this machine that the benchmarks set a step's matrix work against.
    /// </summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    /// <exception cref="InvalidOperationException">oneDNN failed.</exception>
    public static unsafe double SgemmGflops(int threads, int size = 2048, int repeats = 5)
    {
        var handle = Load();
        var sgemm = (delegate* unmanaged<int, int, int, double>)NativeLibrary.GetExport(handle, "SphereFaceDnnlSgemmGflops");
        double rate = sgemm(threads, size, repeats);
        return rate > 0 ? rate : throw new InvalidOperationException("oneDNN sgemm failed");
    }

    /// <summary>A oneDNN primitive kind a SphereFace net makes and the implementation this CPU would run it with.</summary>
    public sealed record ProbedPrimitive(string What, string Implementation)
    {
        /// <summary>True when the implementation is oneDNN's reference code or missing: the plugin refuses such a node.</summary>
        public bool IsSlow => Implementation.StartsWith("ref", StringComparison.Ordinal) || Implementation.StartsWith("unavailable", StringComparison.Ordinal);
    }

    /// <summary>
    /// What the kernels would do on this machine: oneDNN's instruction set (after <c>ONEDNN_MAX_CPU_ISA</c>), the block
    /// its kernels want (0: none), the implementation of each primitive kind in that block, and the problem that keeps
    /// the kernels from running fast here (null when there is none).
    /// </summary>
    public sealed record MachineKernels(string Isa, int Block, IReadOnlyList<ProbedPrimitive> Primitives, string? Problem)
    {
        /// <summary>One line: instruction set, layout and the Winograd implementation, e.g. "oneDNN avx2, nChw8c, Winograd sphereface_wino_4x3:avx2".</summary>
        public string Summary => Block == 0 ? $"oneDNN {Isa}" :
            $"oneDNN {Isa}, nChw{Block}c, Winograd {Primitives.FirstOrDefault(p => p.What.StartsWith("Conv 64→64 stride 1 winograd", StringComparison.Ordinal))?.Implementation ?? "?"}";
    }

    private static readonly Lazy<MachineKernels> s_machine = new(ProbeMachine);

    /// <summary>This machine's <see cref="MachineKernels"/> (probed once per process).</summary>
    public static MachineKernels Machine => s_machine.Value;

    /// <summary>
    /// The implementation oneDNN (or the plugin's own Winograd) would give each primitive kind of a SphereFace net with
    /// activations in blocks of <paramref name="block"/> channels (8 or 16) on this CPU. No primitive runs.
    /// </summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    /// <exception cref="InvalidOperationException">oneDNN failed while asked.</exception>
    public static unsafe IReadOnlyList<ProbedPrimitive> Probe(int block)
    {
        var handle = Load();
        var probe = (delegate* unmanaged<int, byte*, int, int>)NativeLibrary.GetExport(handle, "SphereFaceDnnlProbe");
        string text = ReadText(buffer => { fixed (byte* p = buffer) return probe(block, p, buffer.Length); }, out bool failed);
        if (failed) throw new InvalidOperationException($"oneDNN could not be asked about its kernels: {text}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Select(f => new ProbedPrimitive(f[0], f[1])).ToArray();
    }

    /// <summary>Why this machine cannot run graphs built with <paramref name="block"/> fast (null when it can).</summary>
    public static string? ProblemWith(int block)
    {
        if (!Blocks.Contains(block)) return $"block {block} is not one of {string.Join(", ", Blocks)}";
        if (Machine.Problem is { } problem && Machine.Block == 0) return problem;
        try
        {
            var slow = Probe(block).FirstOrDefault(p => p.IsSlow);
            return slow is null ? null : $"oneDNN {Machine.Isa} has no optimised kernel for {slow.What} in nChw{block}c ({slow.Implementation})";
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return e.Message;
        }
    }

    private static unsafe MachineKernels ProbeMachine()
    {
        if (PluginLibrary.Dnnl.LoadProblem is { } loadProblem) return new MachineKernels("none", 0, [], loadProblem);
        try
        {
            var handle = Load();
            var isaQuery = (delegate* unmanaged<byte*, int, int>)NativeLibrary.GetExport(handle, "SphereFaceDnnlIsa");
            string isa = ReadText(buffer => { fixed (byte* p = buffer) return isaQuery(p, buffer.Length); }, out _);
            int block = ((delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "SphereFaceDnnlPreferredBlock"))();
            if (block == 0) return new MachineKernels(isa, 0, [], $"oneDNN ({isa}) has no blocked kernels on this CPU");
            var primitives = Probe(block);
            var slow = primitives.FirstOrDefault(p => p.IsSlow);
            return new MachineKernels(isa, block, primitives,
                slow is null ? null : $"oneDNN {isa} has no optimised kernel for {slow.What} in nChw{block}c ({slow.Implementation})");
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return new MachineKernels("none", 0, [], $"{PluginLibrary.Dnnl.FileName} cannot be asked about its kernels: {e.Message}");
        }
    }

    // Calls a native "fill this buffer, return the full length (negative on failure)" export until the text fits.
    private static string ReadText(Func<byte[], int> query, out bool failed)
    {
        var buffer = new byte[4096];
        int length = query(buffer);
        failed = length < 0;
        if (length >= buffer.Length)
        {
            buffer = new byte[length + 1];
            length = query(buffer);
        }
        int end = Array.IndexOf(buffer, (byte)0);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    /// <summary>
    /// Sets a session up for the kernels (called when the library is registered): their thread count is the
    /// session's, and neither thread pool spins while the other works. oneDNN runs on OpenMP threads and ONNX Runtime's
    /// own ops on its intra-op pool; on two cores either pool's idle workers spinning after their work took the
    /// cores from the other (SF-20 training step 2184 ms with ONNX Runtime spinning, 1747 ms with OpenMP's default
    /// spin, 1469 ms with neither; docs/kernels.md). So the session's workers do not spin, and OpenMP's wait policy
    /// is set to passive unless the process already chose one (it takes effect only if OpenMP is not yet loaded).
    /// </summary>
    internal static void Configure(SessionOptions options)
    {
        int threads = options.IntraOpNumThreads > 0 ? options.IntraOpNumThreads : Environment.ProcessorCount;
        options.AddSessionConfigEntry(ThreadsConfigKey, threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        PrepareProcess();
    }

    /// <summary>OpenMP's wait policy must be in the environment before the library (and with it libgomp) is loaded.</summary>
    private static void PrepareProcess()
    {
        if (Environment.GetEnvironmentVariable(OpenMpWaitPolicy) is null) SetNativeEnvironment(OpenMpWaitPolicy, "passive");
    }

    private static IntPtr Load()
    {
        PrepareProcess();
        return NativeLibrary.Load(PluginLibrary.Dnnl.Path);
    }

    private const string OpenMpWaitPolicy = "OMP_WAIT_POLICY";

    // .NET's Environment.SetEnvironmentVariable does not reach the C runtime's environment on Unix, and libgomp reads
    // getenv. Only the C runtime's copy is set: child processes (the benchmarks' PyTorch peers) keep the defaults.
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeSetEnv(string name, string value, int overwrite);

    // setenv fails only without memory or with a malformed name, both bugs here.
    private static void SetNativeEnvironment(string name, string value)
    {
        if (NativeSetEnv(name, value, 0) != 0) throw new InvalidOperationException($"setenv({name}) failed.");
    }
}
