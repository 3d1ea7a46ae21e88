using SphereFace.Models.Errors;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Google.Protobuf;
using SphereFace.Models.Native;
using SphereFace.Inference.GraphRewrites;
using SphereFace.Inference.Verification;
using SphereFace.Models;
using SphereFace.Models.Onnx;

namespace SphereFace.Inference;

/// <summary>
/// Computes L2-normalised face embeddings with a SphereFace <c>embedding.onnx</c>.
/// <para>
/// All embedding calls are safe to make concurrently from many threads (ONNX Runtime sessions support concurrent
/// runs, and each call rents its own pooled input/output buffers). <see cref="Dispose"/> may race with them: calls in
/// flight finish, later calls throw <see cref="ObjectDisposedException"/>.
/// Runs reuse tensors pooled by batch size, so steady-state calls allocate nothing model-sized.
/// </para>
/// <example>
/// <code>
/// using var embedder = new Embedder("artifacts/run1/embedding.onnx", new EmbedderOptions { FlipConcatenation = true });
/// using var photo = Cv2.ImRead("alice.jpg");
/// float[] a = embedder.Embed(photo, landmarks);        // 5 points: eyes, nose, mouth corners
/// float[] b = embedder.EmbedAligned(alignedFace);      // an already aligned 112×96 BGR face
/// float cosine = Embedder.Similarity(a, b);
/// bool same = embedder.Verify(a, b).Same;          // the threshold calibrated by `eval --stamp`
/// </code>
/// </example>
/// </summary>
public sealed partial class Embedder : IDisposable
{
    private InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly RunBufferPool _pool;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _maxBatch;
    private readonly CallGate _gate = new();
    private readonly bool _quantized;
    private readonly Detection.FaceDetectorOptions? _detectorOptions;

    /// <summary>Loads <paramref name="modelPath"/> and validates its input contract.</summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is a folder, truncated, corrupt, not an ONNX model, or has no or
    /// a mismatching SphereFace input contract, or malformed verification thresholds; the message names the file.</exception>
    /// <exception cref="SphereFaceException">A native library cannot be loaded: ONNX Runtime's or OpenCV's, or a system
    /// library they need (<see cref="SphereFaceErrorCode.NativeLibraryMissing"/>, the message names the NuGet or Debian package
    /// to add); oneDNN when <see cref="EmbedderOptions.Kernels"/> asks for its kernels explicitly
    /// (<see cref="SphereFaceErrorCode.PluginUnavailable"/>); or the requested device is unavailable
    /// (<see cref="SphereFaceErrorCode.DeviceUnavailable"/>).</exception>
    /// <exception cref="ArgumentException">An option is out of range (<see cref="EmbedderOptions.MaxBatch"/> &lt; 1, negative threads).</exception>
    public Embedder(string modelPath, EmbedderOptions? options = null)
    {
        options ??= new EmbedderOptions();
        NativeDependency.OnnxRuntime.Ensure();
        Alignment.OpenCvNative.Library.Ensure();
        ExecutionDevices.EnsureAvailable(options.Device);
        if (options.MaxBatch < 1) throw new Models.Errors.InputException($"MaxBatch must be ≥ 1, got {options.MaxBatch}.");
        ThreadCount.Check(options.IntraOpThreads, "IntraOpThreads");
        ModelPath = modelPath;
        var model = EmbeddingModelCheck.LoadModel(modelPath);
        Contract = EmbeddingModelCheck.ReadContract(model, modelPath);
        _quantized = model.Graph.Node.Any(n => n.OpType == "QuantizeLinear");
        FlipConcatenation = options.FlipConcatenation;
        Thresholds = VerificationThresholds.FromMetadata(model.MetadataProps.ToDictionary(e => e.Key, e => e.Value),
            VerificationThresholds.RepresentationOf(FlipConcatenation), modelPath);
        _maxBatch = options.MaxBatch;
        _detectorOptions = options.Detector;
        _runOptions = new RunOptions();
        _inputNames = [Contract.InputName];
        _outputNames = [Contract.OutputName];
        _pool = new RunBufferPool(Contract.Height, Contract.Width, Contract.EmbeddingSize);

        bool cpu = options.Device == ExecutionDevice.Cpu;
        KernelChoice = !cpu ? KernelChoice.Resolve(options.Kernels, options.Device)
            : _quantized ? KernelChoice.Standard with { Reason = "an int8 model runs on ONNX Runtime's int8 kernels" }
            : KernelChoice.Resolve(options.Kernels);
        if (cpu && !_quantized && options.Kernels.UsesDnnl() && PluginLibrary.Dnnl.LoadProblem is { } dnnlProblem)
            throw new SphereFaceException(SphereFaceErrorCode.PluginUnavailable,
                $"{modelPath}: the {options.Kernels.Name()} kernels were asked for, but {dnnlProblem} (Kernels = Auto runs ONNX Runtime's own kernels instead)");
        if (cpu && !_quantized && options.Kernels != Models.Native.Kernels.Standard && !KernelChoice.UsesDnnl) options.Log?.Invoke($"{modelPath}: kernels {KernelChoice}");
        try
        {
            (_session, FusedConvs, QuantizedPRelus, RewrittenPRelus) = Open(model, options, KernelChoice, _quantized && cpu && options.Kernels != Models.Native.Kernels.Standard);
            WarmUp();
        }
        catch (OnnxRuntimeException e) when (FusedConvs > 0 && e.Message.Contains(DnnlPlugin.ReferenceRefused, StringComparison.Ordinal))
        {
            // The probe said the kernels run fast here, but a node of this model would have run oneDNN's reference code:
            // serve it with ONNX Runtime's kernels instead, and say so.
            _session?.Dispose();
            KernelChoice = KernelChoice.Standard with { Reason = FirstLine(e.Message) };
            options.Log?.Invoke($"{modelPath}: kernels {KernelChoice}");
            (_session, FusedConvs, QuantizedPRelus, RewrittenPRelus) = Open(EmbeddingModelCheck.LoadModel(modelPath), options, KernelChoice, false);
            WarmUp();
        }
        catch
        {
            _session?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A session for <paramref name="model"/> with the graph rewrites <paramref name="kernels"/> asks for (the oneDNN
    /// convolutions, or for an int8 model with <paramref name="int8Kernels"/> the explicit NHWC graph, or ONNX Runtime's
    /// blocked-layout PReLU), checked against the input contract.
    /// </summary>
    private (InferenceSession Session, int FusedConvs, int QuantizedPRelus, int RewrittenPRelus) Open(ModelProto model, EmbedderOptions options,
        KernelChoice kernels, bool int8Kernels)
    {
        int fused = 0, quantizedPRelus = 0, rewritten = 0;
        if (kernels.UsesDnnl)
            fused = FusedDnnlConvs.Apply(model, new FusedDnnlConvs.Options(kernels.Kernels == Models.Native.Kernels.OneDnnDirect ? "direct" : "auto", kernels.Block));
        if (int8Kernels && PluginLibrary.Dnnl.IsUsable) quantizedPRelus = QuantizedNhwcGraph.Apply(model);
        if (fused == 0 && options.Device == ExecutionDevice.Cpu && options.BlockedLayoutPRelu && !_quantized) rewritten = PReluAsBlockedOps.Apply(model);
        using var sessionOptions = CreateSessionOptions(options, fused > 0, quantizedPRelus > 0);
        InferenceSession session;
        try
        {
            session = rewritten > 0 || fused > 0 || quantizedPRelus > 0
                ? new InferenceSession(model.ToByteArray(), sessionOptions)
                : new InferenceSession(ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{ModelPath}: ONNX Runtime cannot load the model: {e.Message}", e);
        }
        try
        {
            EmbeddingModelCheck.CheckSession(session, Contract, ModelPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return (session, fused, quantizedPRelus, rewritten);
    }

    /// <summary>
    /// One run on a blank face at construction: the kernels make their primitives (and a node that would run oneDNN's
    /// reference code says so) before the first caller waits, so the first embedding costs what every later one does.
    /// </summary>
    private void WarmUp()
    {
        var buffers = _pool.Rent(1);
        try
        {
            Array.Clear(buffers.Input);
            _session.Run(_runOptions, _inputNames, buffers.InputValues, _outputNames, buffers.OutputValues);
        }
        finally { _pool.Return(buffers); }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>How many PRelu nodes were rewritten for the blocked layout (<see cref="EmbedderOptions.BlockedLayoutPRelu"/>).</summary>
    public int RewrittenPRelus { get; private set; }

    /// <summary>How many Conv nodes run as fused oneDNN kernels (<see cref="EmbedderOptions.Kernels"/>).</summary>
    public int FusedConvs { get; private set; }

    /// <summary>
    /// The kernels this embedder runs the float convolutions with, and why on this machine (<see cref="KernelChoice.Reason"/>):
    /// with <see cref="Models.Native.Kernels.Auto"/> the oneDNN kernels in the block the CPU prefers, or ONNX Runtime's
    /// own where the oneDNN library is missing or would run a reference implementation.
    /// </summary>
    public KernelChoice KernelChoice { get; private set; }

    /// <summary>
    /// How many PRelu units of an int8 (QDQ) model run as the plugin's uint8 kernel in the explicit NHWC graph
    /// (<see cref="GraphRewrites.QuantizedNhwcGraph"/>, unless <see cref="EmbedderOptions.Kernels"/> is standard).
    /// </summary>
    public int QuantizedPRelus { get; private set; }

    /// <summary>
    /// Which kernels compute the convolutions: <c>onednn</c> (with the layout, e.g. <c>onednn nChw8c</c>),
    /// <c>onnxruntime</c>, or for an int8 model <c>onnxruntime-int8-nhwc</c> (the rewritten graph) or
    /// <c>onnxruntime-int8</c> (the QDQ graph as it is).
    /// </summary>
    public string Kernels => FusedConvs > 0 ? $"onednn {KernelChoice.Layout}" : QuantizedPRelus > 0 ? "onnxruntime-int8-nhwc" : _quantized ? "onnxruntime-int8" : "onnxruntime";

    /// <summary>The model's input contract (size, normalisation, names).</summary>
    public InputContract Contract { get; }

    /// <summary>Whether results are the concatenated features of the face and its mirror.</summary>
    public bool FlipConcatenation { get; }

    /// <summary>Length of each returned embedding: the model's embedding size, doubled with flip concatenation.</summary>
    public int Dimension => FlipConcatenation ? 2 * Contract.EmbeddingSize : Contract.EmbeddingSize;

    /// <summary>Floats in one preprocessed face tensor (3 × H × W).</summary>
    public int TensorLength => 3 * Contract.Height * Contract.Width;

    /// <summary>
    /// Cosine similarity of two embeddings (for this embedder's unit-norm outputs, their dot product); NaN when either
    /// vector is all zeros.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Embeddings of different lengths ({a.Length} and {b.Length}) cannot be compared.");
        return TensorPrimitives.CosineSimilarity(a, b);
    }

    /// <summary>
    /// Embeds one preprocessed face tensor (CHW, RGB, (p − 127.5)/128, the contract's size).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor's length is wrong or it holds NaN/∞.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] EmbedTensor(ReadOnlySpan<float> chw)
    {
        var result = new float[Dimension];
        EmbedTensors(chw, 1, result);
        return result;
    }

    /// <summary>
    /// Embeds <paramref name="count"/> preprocessed face tensors stored one after another in
    /// <paramref name="nchw"/>, writing <paramref name="count"/> × <see cref="Dimension"/> floats to
    /// <paramref name="destination"/> (row-major). NaN/∞ inputs are rejected.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths do not match the count, or the data holds NaN/∞.</exception>
    /// <exception cref="InvalidDataException">The model produced a zero or non-finite embedding (broken weights).</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public void EmbedTensors(ReadOnlySpan<float> nchw, int count, Span<float> destination)
    {
        int len = TensorLength;
        if (count < 0 || nchw.Length != (long)count * len)
            throw new ArgumentException($"Tensor data has {nchw.Length} floats; {count} faces of 3×{Contract.Height}×{Contract.Width} need {(long)count * len}.");
        if (!float.IsFinite(TensorPrimitives.Sum(nchw)))
            throw new ArgumentException("Face tensor holds NaN or infinite values.");
        CheckDestination(count, destination.Length);
        using var pass = _gate.Enter(this);
        for (int start = 0; start < count; start += _maxBatch)
        {
            int n = Math.Min(_maxBatch, count - start);
            var chunk = nchw.Slice(start * len, n * len);
            var buffers = Rent(n);
            try
            {
                chunk.CopyTo(buffers.Input);
                Finish(buffers, n, destination.Slice(start * Dimension, n * Dimension));
            }
            finally { _pool.Return(buffers); }
        }
    }

    /// <summary>Rents buffers for <paramref name="faces"/> faces (twice as many images with flip concatenation).</summary>
    private RunBuffers Rent(int faces)
    {
        return _pool.Rent(FlipConcatenation ? 2 * faces : faces);
    }

    /// <summary>
    /// With the first <paramref name="faces"/> face tensors written into <paramref name="buffers"/>: adds their
    /// mirrors if needed, runs the graph, and writes the normalised embeddings.
    /// </summary>
    private void Finish(RunBuffers buffers, int faces, Span<float> destination)
    {
        int len = TensorLength, e = Contract.EmbeddingSize;
        if (FlipConcatenation)
            for (int i = 0; i < faces; i++)
                Mirror(buffers.Input.AsSpan(i * len, len), buffers.Input.AsSpan((faces + i) * len, len), Contract.Width);
        _session.Run(_runOptions, _inputNames, buffers.InputValues, _outputNames, buffers.OutputValues);
        for (int i = 0; i < faces; i++)
        {
            var row = destination.Slice(i * Dimension, Dimension);
            buffers.Output.AsSpan(i * e, e).CopyTo(row);
            if (FlipConcatenation) buffers.Output.AsSpan((faces + i) * e, e).CopyTo(row[e..]);
            float norm = TensorPrimitives.Norm(row);
            if (!float.IsFinite(norm) || norm == 0f)
                throw new InvalidDataException($"{ModelPath}: the model produced a {(norm == 0f ? "zero" : "non-finite")} embedding; the weights are broken.");
            TensorPrimitives.Divide(row, norm, row);
        }
    }

    /// <summary>Writes the horizontal mirror of a CHW tensor (each row reversed).</summary>
    private static void Mirror(ReadOnlySpan<float> source, Span<float> target, int width)
    {
        source.CopyTo(target);
        for (int offset = 0; offset < target.Length; offset += width) target.Slice(offset, width).Reverse();
    }

    private void CheckDestination(int faces, int length)
    {
        if (length != (long)faces * Dimension)
            throw new ArgumentException($"Destination has {length} floats; {faces} embeddings of {Dimension} need {(long)faces * Dimension}.");
    }

    /// <summary>
    /// Session options for <paramref name="options"/>; with <paramref name="oneDnn"/> the plugin is registered and sets
    /// the worker spinning itself (off: its OpenMP threads share the cores with ONNX Runtime's pool, docs/kernels.md).
    /// </summary>
    private static SessionOptions CreateSessionOptions(EmbedderOptions options, bool oneDnn, bool quantizedKernels)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimization,
            IntraOpNumThreads = options.IntraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            // Registering the plugin turns spinning off (DnnlPlugin.Configure); the int8 kernel shares ORT's pool.
            if (oneDnn || quantizedKernels) PluginLibrary.Dnnl.Register(so);
            else so.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
            if (options.Device == ExecutionDevice.Cuda) AppendCuda(so, options.CudaDeviceId);
            options.ConfigureSession?.Invoke(so);
            return so;
        }
        catch
        {
            so.Dispose();
            throw;
        }
    }

    private static void AppendCuda(SessionOptions so, int deviceId)
    {
#if SPHEREFACE_CUDA
        try
        {
            so.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SphereFaceException(SphereFaceErrorCode.DeviceUnavailable, $"CUDA device {deviceId} is not usable by ONNX Runtime: {e.Message}", e);
        }
#else
        throw new SphereFaceException(SphereFaceErrorCode.DeviceUnavailable,
            $"CUDA (device {deviceId}) was requested, but this build uses the CPU-only ONNX Runtime. Rebuild with " +
            "`dotnet build -p:UseCuda=true` (the Microsoft.ML.OnnxRuntime.Gpu package must be reachable from NuGet) to run on a GPU.");
#endif
    }

    /// <summary>
    /// Ends ONNX Runtime's profiling of this embedder's runs and returns the profile's path (a Chrome-trace JSON of every
    /// kernel run); profiling is turned on through <see cref="EmbedderOptions.ConfigureSession"/>
    /// (<c>EnableProfiling</c>, <c>ProfileOutputPathPrefix</c>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public string EndProfiling()
    {
        using var pass = _gate.Enter(this);
        return _session.EndProfiling();
    }

    /// <summary>
    /// Releases the ONNX Runtime session and the pooled buffers, after the embedding calls in flight have finished;
    /// calls made afterwards throw <see cref="ObjectDisposedException"/>. Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        if (!_gate.Close()) return;
        _session.Dispose();
        _runOptions.Dispose();
        _pool.Dispose();
        lock (_detectorLock) _detector?.Dispose();
    }
}
