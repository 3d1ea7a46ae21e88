using System.Numerics.Tensors;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Ops.Dnnl;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Benchmarks.Training;

/// <summary>One formulation of a conv gradient timed on one layer shape.</summary>
public sealed record ConvGradientTiming(string Layer, string Gradient, string Formulation, double MedianMilliseconds, int Nodes);

/// <summary>
/// Times the exact formulations of the Conv gradient rule (<see cref="ConvGradientOptions"/>) on given layer
/// shapes: one ONNX Runtime session per formulation holding only that gradient's nodes, run in interleaved
/// rounds so that load on a shared machine hits every formulation alike; reports the median per run.
/// </summary>
public static class ConvGradientComparison
{
    /// <summary>A conv layer: batch, in/out channels, input size, stride (3×3 kernel, pad 1).</summary>
    public sealed record Layer(string Name, long N, long C, long M, long H, long W, long Stride);

    /// <summary>The SphereFace layers of a net at a batch size: first conv of each stage and one residual conv per stage.</summary>
    public static IReadOnlyList<Layer> SphereLayers(long batch) =>
    [
        new("conv1_1", batch, 3, 64, 112, 96, 2), new("conv1_x", batch, 64, 64, 56, 48, 1),
        new("conv2_1", batch, 64, 128, 56, 48, 2), new("conv2_x", batch, 128, 128, 28, 24, 1),
        new("conv3_1", batch, 128, 256, 28, 24, 2), new("conv3_x", batch, 256, 256, 14, 12, 1),
        new("conv4_1", batch, 256, 512, 14, 12, 2), new("conv4_x", batch, 512, 512, 7, 6, 1),
    ];

    /// <summary>Runs the comparison; <paramref name="rounds"/> interleaved runs per formulation.</summary>
    public static IReadOnlyList<ConvGradientTiming> Run(IEnumerable<Layer> layers, int threads, int rounds)
    {
        var results = new List<ConvGradientTiming>();
        foreach (var layer in layers)
        {
            var standard = ConvGradientOptions.Default;
            var variants = new List<(string Gradient, string Formulation, ConvGradientOptions Options, bool Input, string? Dnnl)>
            {
                ("forward", "conv", standard, false, null),
                ("forward", "im2col-gemm", standard, false, null),
                // Not a training formulation: ONNX Runtime's NCHWc kernels, which it uses only for constant weights.
                ("forward", "conv-constant-weights", standard, false, null),
            };
            if (layer.Stride > 1)
            {
                variants.Add(("input", "polyphase", standard with { StridedInput = StridedInputGradient.Polyphase }, true, null));
                variants.Add(("input", "zero-insertion", standard with { StridedInput = StridedInputGradient.ZeroInsertion }, true, null));
                variants.Add(("input", "conv-transpose", standard with { StridedInput = StridedInputGradient.ConvTranspose }, true, null));
            }
            else
            {
                variants.Add(("input", "flipped-conv", standard with { UnstridedInputViaConvTranspose = false }, true, null));
                variants.Add(("input", "conv-transpose", standard with { UnstridedInputViaConvTranspose = true }, true, null));
            }
            variants.Add(("weight", "swapped-conv", standard with { Weight = WeightGradient.SwappedConv }, false, null));
            variants.Add(("weight", "im2col-gemm", standard with { Weight = WeightGradient.Im2ColGemm }, false, null));
            variants.Add(("weight", "tap-gemms", standard with { Weight = WeightGradient.TapGemms }, false, null));
            // The oneDNN plugin's kernels on this CPU's blocked layout (the conv1_1 input stays NCHW): direct, and
            // Winograd (stride-1 3×3: oneDNN's on AVX-512, the plugin's own elsewhere).
            foreach (var algorithm in layer.Stride == 1 ? new[] { "direct", "winograd" } : ["direct"])
            {
                variants.Add(("forward", $"onednn-{algorithm}", standard, false, algorithm));
                variants.Add(("input", $"onednn-{algorithm}", standard, true, algorithm));
                variants.Add(("weight", $"onednn-{algorithm}", standard, false, algorithm));
            }
            if (layer.C == 3) variants.RemoveAll(v => v.Input && v.Gradient == "input"); // the data needs no gradient

            var sessions = new List<(InferenceSession Session, int Nodes)>();
            var rng = new SeededRandom(1);
            float[] Random(long count) { var a = new float[count]; for (int i = 0; i < a.Length; i++) a[i] = (float)rng.Uniform(-1, 1); return a; }
            long ho = (layer.H + 2 - 3) / layer.Stride + 1, wo = (layer.W + 2 - 3) / layer.Stride + 1;
            using var x = OrtValue.CreateTensorValueFromMemory(Random(layer.N * layer.C * layer.H * layer.W), [layer.N, layer.C, layer.H, layer.W]);
            var weights = Random(layer.M * layer.C * 9);
            using var w = OrtValue.CreateTensorValueFromMemory(weights, [layer.M, layer.C, 3, 3]);
            var dyData = Random(layer.N * layer.M * ho * wo);
            using var dy = OrtValue.CreateTensorValueFromMemory(dyData, [layer.N, layer.M, ho, wo]);
            int block = DnnlPlugin.Machine.Block == 0 ? 16 : DnnlPlugin.Machine.Block;
            bool blockedInput = layer.C % block == 0;
            using var xBlocked = blockedInput
                ? OrtValue.CreateTensorValueFromMemory(BlockedLayout.Pack(x.GetTensorDataAsSpan<float>().ToArray(), layer.N, layer.C, layer.H, layer.W, block), BlockedLayout.Shape(layer.N, layer.C, layer.H, layer.W, block))
                : OrtValue.CreateTensorValueFromMemory(x.GetTensorDataAsSpan<float>().ToArray(), [layer.N, layer.C, layer.H, layer.W]);
            using var dyBlocked = OrtValue.CreateTensorValueFromMemory(BlockedLayout.Pack(dyData, layer.N, layer.M, ho, wo, block), BlockedLayout.Shape(layer.N, layer.M, ho, wo, block));
            foreach (var v in variants)
            {
                var (model, nodes) = v.Dnnl is { } algorithm ? DnnlModel(layer, v.Gradient, algorithm, blockedInput, block)
                    : v.Gradient == "forward" ? ForwardModel(layer, v.Formulation, weights) : GradientModel(layer, v.Input, v.Options);
                var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                // Interleaved sessions each own a thread pool; spinning workers of the session that just ran
                // would take the cores from the next one.
                options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                if (v.Dnnl is not null) PluginLibrary.Dnnl.Register(options);
                sessions.Add((new InferenceSession(model, options), nodes));
                options.Dispose();
            }
            var times = variants.Select(_ => new List<double>()).ToArray();
            using var runOptions = new RunOptions();
            var firstOutputs = new Dictionary<string, float[]>();
            for (int r = -1; r < rounds; r++) // round −1 warms up
                for (int k = 0; k < variants.Count; k++)
                {
                    var v = variants[k];
                    var (xs, dys) = v.Dnnl is null ? (x, dy) : (xBlocked, dyBlocked);
                    var sw = Stopwatch.StartNew();
                    using var outputs = v.Gradient == "forward"
                        ? sessions[k].Session.Run(runOptions, ["x", "w"], [xs, w], ["grad"])
                        : sessions[k].Session.Run(runOptions, ["x", "w", "dy"], [xs, w, dys], ["grad"]);
                    if (r >= 0) times[k].Add(sw.Elapsed.TotalMilliseconds);
                    else
                    {
                        var result = outputs[0].GetTensorDataAsSpan<float>().ToArray();
                        // Blocked results back to NCHW so every formulation is compared with the first.
                        if (v.Dnnl is not null && v.Gradient == "forward") result = BlockedLayout.Unpack(result, layer.N, layer.M, ho, wo, block);
                        if (v.Dnnl is not null && v.Gradient == "input" && blockedInput) result = BlockedLayout.Unpack(result, layer.N, layer.C, layer.H, layer.W, block);
                        CheckAgainstFirst(v.Gradient, layer.Name, result, firstOutputs, v.Dnnl == "winograd" ? 1e-4f : 1e-5f);
                    }
                }
            for (int k = 0; k < variants.Count; k++)
            {
                var sorted = times[k].Order().ToArray();
                results.Add(new ConvGradientTiming(layer.Name, variants[k].Gradient, variants[k].Formulation, sorted[sorted.Length / 2], sessions[k].Nodes));
                sessions[k].Session.Dispose();
            }
        }
        return results;
    }

    /// <summary>
    /// Every formulation of one quantity is exact, so its result must match the first formulation's up to float
    /// rounding (relative to the largest magnitude); a mismatch means a broken formulation, not a slow one.
    /// </summary>
    private static void CheckAgainstFirst(string quantity, string layer, ReadOnlySpan<float> result, Dictionary<string, float[]> first, float tolerance)
    {
        if (!first.TryGetValue(quantity, out var reference))
        {
            first[quantity] = result.ToArray();
            return;
        }
        float scale = Math.Max(1e-30f, Math.Abs(TensorPrimitives.MaxMagnitude(reference)));
        float worst = 0;
        for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(result[i] - reference[i]));
        if (worst > tolerance * scale)
            throw new InvalidOperationException($"{layer} {quantity}: formulations disagree (max |difference| {worst:G3} vs max |value| {scale:G3}).");
    }

    /// <summary>
    /// The forward conv alone: ONNX Runtime's Conv (<c>conv</c>: weights are graph inputs in training, so its generic
    /// per-image im2col + GEMM path), a batch-wide im2col (k² strided Slices of the padded, channel-major input) and
    /// one Gemm W[M, C·k²] · cols[C·k², N·h·w] (<c>im2col-gemm</c>: the layout whose <c>cols</c> the weight gradient
    /// could reuse), or, for reference, the Conv with <paramref name="weights"/> as an initializer
    /// (<c>conv-constant-weights</c>: ONNX Runtime then uses its NCHWc kernels; the <c>w</c> input stays declared, unused).
    /// </summary>
    private static (byte[] Model, int Nodes) ForwardModel(Layer layer, string formulation, float[] weights)
    {
        bool im2col = formulation == "im2col-gemm";
        var g = new GraphBuilder("conv_forward");
        long n = layer.N, c = layer.C, m = layer.M, s = layer.Stride;
        long ho = (layer.H + 2 - 3) / s + 1, wo = (layer.W + 2 - 3) / s + 1;
        g.Input("x", ElementType.Float, n, c, layer.H, layer.W);
        g.Input("w", ElementType.Float, m, c, 3, 3);
        string y;
        if (!im2col)
        {
            string weight = formulation == "conv-constant-weights" ? g.AddInitializer("w_constant", weights, [m, c, 3, 3]) : "w";
            y = g.Node("Conv", ["x", weight], [Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", s, s), Attr.Ints("pads", 1, 1, 1, 1)]);
        }
        else
        {
            string Emit(string op, IReadOnlyList<string> inputs, AttributeProto[] attributes) => g.Node(op, inputs, attributes);
            string xT = g.Node("Transpose", ["x"], [Attr.Ints("perm", 1, 0, 2, 3)]);
            var taps = Conv.Im2ColTaps(g, Emit, xT, [1, 1], [1, 1], [s, s], 3, 3, ho, wo);
            string cols = Conv.Im2Col(g, Emit, taps, c, 3, 3, n, ho, wo);
            string product = g.Node("Gemm", [g.Node("Reshape", ["w", g.ConstInts(m, c * 9)]), cols]);
            y = g.Node("Transpose", [g.Node("Reshape", [product, g.ConstInts(m, n, ho, wo)])], [Attr.Ints("perm", 1, 0, 2, 3)]);
        }
        g.Output(y, "grad");
        var model = g.ToModel();
        return (model.ToByteArray(), model.Graph.Node.Count);
    }

    /// <summary>
    /// One oneDNN plugin node: the forward Conv, or the input / weight gradient node its gradient rule emits, with
    /// blocked activations (an NCHW input where the channels are not a multiple of the block).
    /// </summary>
    private static (byte[] Model, int Nodes) DnnlModel(Layer layer, string quantity, string algorithm, bool blockedInput, int block)
    {
        var g = new GraphBuilder("dnnl_conv");
        long ho = (layer.H + 2 - 3) / layer.Stride + 1, wo = (layer.W + 2 - 3) / layer.Stride + 1;
        g.Input("x", ElementType.Float, blockedInput ? BlockedLayout.Shape(layer.N, layer.C, layer.H, layer.W, block) : [layer.N, layer.C, layer.H, layer.W]);
        g.Input("w", ElementType.Float, layer.M, layer.C, 3, 3);
        if (quantity != "forward") g.Input("dy", ElementType.Float, BlockedLayout.Shape(layer.N, layer.M, ho, wo, block));
        var attrs = new[] { Attr.Ints("strides", layer.Stride, layer.Stride), Attr.Ints("pads", 1, 1, 1, 1), Attr.String("algorithm", algorithm), Attr.Int("block", block) };
        string y = g.Node(DnnlPlugin.ConvOp, ["x", "w"], attrs, name: "conv", domain: DnnlPlugin.Domain);
        var forward = g.Nodes[^1];
        if (quantity == "forward")
        {
            g.Output(y, "grad");
            var only = g.ToModel();
            return (only.ToByteArray(), 1);
        }
        bool input = quantity == "input";
        var grads = OpRegistry.Get(DnnlPlugin.ConvOp, DnnlPlugin.Domain).Gradient(new GradientContext(g, forward, ["dy"], [input, !input]));
        g.Output(grads[input ? 0 : 1]!, "grad");
        var model = g.ToModel();
        model.Graph.Node.Remove(model.Graph.Node.First(n => n.Name == "conv"));
        return (model.ToByteArray(), model.Graph.Node.Count);
    }

    private static (byte[] Model, int Nodes) GradientModel(Layer layer, bool input, ConvGradientOptions options)
    {
        var g = new GraphBuilder("conv_gradient");
        long ho = (layer.H + 2 - 3) / layer.Stride + 1, wo = (layer.W + 2 - 3) / layer.Stride + 1;
        g.Input("x", ElementType.Float, layer.N, layer.C, layer.H, layer.W);
        g.Input("w", ElementType.Float, layer.M, layer.C, 3, 3);
        g.Input("dy", ElementType.Float, layer.N, layer.M, ho, wo);
        g.Node("Conv", ["x", "w"], [Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", layer.Stride, layer.Stride), Attr.Ints("pads", 1, 1, 1, 1)], name: "conv");
        var forward = g.Nodes[^1];
        var ctx = new GradientContext(g, forward, ["dy"], [input, !input], options);
        var grads = OpRegistry.Get("Conv").Gradient(ctx);
        g.Output(grads[input ? 0 : 1]!, "grad");
        var model = g.ToModel();
        model.Graph.Node.Remove(forward); // only the gradient's nodes are timed
        return (model.ToByteArray(), model.Graph.Node.Count - 1);
    }
}
