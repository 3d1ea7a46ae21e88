using System.Numerics.Tensors;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Training.Bench;

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
            var variants = new List<(string Gradient, string Formulation, Action Configure, bool Input)>
            {
                ("forward", "conv", () => { }, false),
                ("forward", "im2col-gemm", () => { }, false),
                // Not a training formulation: ONNX Runtime's NCHWc kernels, which it uses only for constant weights.
                ("forward", "conv-constant-weights", () => { }, false),
            };
            if (layer.Stride > 1)
            {
                variants.Add(("input", "polyphase", () => ConvGradientOptions.StridedInput = StridedInputGradient.Polyphase, true));
                variants.Add(("input", "zero-insertion", () => ConvGradientOptions.StridedInput = StridedInputGradient.ZeroInsertion, true));
                variants.Add(("input", "conv-transpose", () => ConvGradientOptions.StridedInput = StridedInputGradient.ConvTranspose, true));
            }
            else
            {
                variants.Add(("input", "flipped-conv", () => ConvGradientOptions.UnstridedInputViaConvTranspose = false, true));
                variants.Add(("input", "conv-transpose", () => ConvGradientOptions.UnstridedInputViaConvTranspose = true, true));
            }
            variants.Add(("weight", "swapped-conv", () => ConvGradientOptions.Weight = WeightGradient.SwappedConv, false));
            variants.Add(("weight", "im2col-gemm", () => ConvGradientOptions.Weight = WeightGradient.Im2ColGemm, false));
            variants.Add(("weight", "tap-gemms", () => ConvGradientOptions.Weight = WeightGradient.TapGemms, false));
            if (layer.C == 3) variants.RemoveAll(v => v.Input && v.Gradient == "input"); // the data needs no gradient

            var sessions = new List<(InferenceSession Session, int Nodes)>();
            var rng = new SeededRandom(1);
            float[] Random(long count) { var a = new float[count]; for (int i = 0; i < a.Length; i++) a[i] = (float)rng.Uniform(-1, 1); return a; }
            long ho = (layer.H + 2 - 3) / layer.Stride + 1, wo = (layer.W + 2 - 3) / layer.Stride + 1;
            using var x = OrtValue.CreateTensorValueFromMemory(Random(layer.N * layer.C * layer.H * layer.W), [layer.N, layer.C, layer.H, layer.W]);
            var weights = Random(layer.M * layer.C * 9);
            using var w = OrtValue.CreateTensorValueFromMemory(weights, [layer.M, layer.C, 3, 3]);
            using var dy = OrtValue.CreateTensorValueFromMemory(Random(layer.N * layer.M * ho * wo), [layer.N, layer.M, ho, wo]);
            var saved = (ConvGradientOptions.StridedInput, ConvGradientOptions.Weight, ConvGradientOptions.UnstridedInputViaConvTranspose);
            try
            {
                foreach (var v in variants)
                {
                    v.Configure();
                    var (model, nodes) = v.Gradient == "forward" ? ForwardModel(layer, v.Formulation, weights) : GradientModel(layer, v.Input);
                    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                    // Interleaved sessions each own a thread pool; spinning workers of the session that just ran
                    // would take the cores from the next one.
                    options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                    sessions.Add((new InferenceSession(model, options), nodes));
                }
            }
            finally
            {
                (ConvGradientOptions.StridedInput, ConvGradientOptions.Weight, ConvGradientOptions.UnstridedInputViaConvTranspose) = saved;
            }
            var times = variants.Select(_ => new List<double>()).ToArray();
            using var runOptions = new RunOptions();
            var firstOutputs = new Dictionary<string, float[]>();
            for (int r = -1; r < rounds; r++) // round −1 warms up
                for (int k = 0; k < variants.Count; k++)
                {
                    var sw = Stopwatch.StartNew();
                    using var outputs = variants[k].Gradient == "forward"
                        ? sessions[k].Session.Run(runOptions, ["x", "w"], [x, w], ["grad"])
                        : sessions[k].Session.Run(runOptions, ["x", "w", "dy"], [x, w, dy], ["grad"]);
                    if (r >= 0) times[k].Add(sw.Elapsed.TotalMilliseconds);
                    else CheckAgainstFirst(variants[k].Gradient, layer.Name, outputs[0].GetTensorDataAsSpan<float>(), firstOutputs);
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
    private static void CheckAgainstFirst(string quantity, string layer, ReadOnlySpan<float> result, Dictionary<string, float[]> first)
    {
        if (!first.TryGetValue(quantity, out var reference))
        {
            first[quantity] = result.ToArray();
            return;
        }
        float scale = Math.Max(1e-30f, Math.Abs(TensorPrimitives.MaxMagnitude(reference)));
        float worst = 0;
        for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(result[i] - reference[i]));
        if (worst > 1e-4f * scale)
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

    private static (byte[] Model, int Nodes) GradientModel(Layer layer, bool input)
    {
        var g = new GraphBuilder("conv_gradient");
        long ho = (layer.H + 2 - 3) / layer.Stride + 1, wo = (layer.W + 2 - 3) / layer.Stride + 1;
        g.Input("x", ElementType.Float, layer.N, layer.C, layer.H, layer.W);
        g.Input("w", ElementType.Float, layer.M, layer.C, 3, 3);
        g.Input("dy", ElementType.Float, layer.N, layer.M, ho, wo);
        g.Node("Conv", ["x", "w"], [Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", layer.Stride, layer.Stride), Attr.Ints("pads", 1, 1, 1, 1)], name: "conv");
        var forward = g.Nodes[^1];
        var ctx = new GradientContext(g, forward, ["dy"], [input, !input]);
        var grads = OpRegistry.Get("Conv").Gradient(ctx);
        g.Output(grads[input ? 0 : 1]!, "grad");
        var model = g.ToModel();
        model.Graph.Node.Remove(forward); // only the gradient's nodes are timed
        return (model.ToByteArray(), model.Graph.Node.Count - 1);
    }
}
