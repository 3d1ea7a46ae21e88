using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Ops.Dnnl;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Nets;

/// <summary>
/// Builds the SphereFace forward graph. Initialisation follows the original Caffe prototxt: stride-2 convs
/// and the FC use Xavier weights with zero bias; residual convs use Gaussian(0.01) weights without bias;
/// PReLU slopes are per channel, 0.25. <see cref="KernelChoice"/> chooses the conv ops: standard ONNX Conv on NCHW, or
/// the oneDNN plugin's Conv and PRelu on blocked activations (nChw8c or nChw16c; the last stage turned back to NCHW
/// before the embedding FC); parameters are the same either way.
/// </summary>
public static class SphereNet
{
    /// <summary>
    /// Appends the net to <paramref name="g"/>: <paramref name="input"/> is float [N,3,112,96]; returns the
    /// embedding value [N, EmbeddingSize]. Parameters come from (or are created in) <paramref name="store"/>.
    /// </summary>
    public static string Forward(GraphBuilder g, string input, SphereNetConfig config, ParameterStore store, KernelChoice? kernels = null)
    {
        kernels ??= KernelChoice.Standard;
        var units = config.Units;
        string x = input;
        long channels = 3;
        for (int stage = 0; stage < 4; stage++)
        {
            long width = SphereNetConfig.Widths[stage];
            int conv = 1;
            x = ConvPRelu(g, store, kernels, x, $"conv{stage + 1}_{conv++}", channels, width, stride: 2, residual: false);
            for (int u = 0; u < units[stage]; u++)
            {
                string skip = x;
                x = ConvPRelu(g, store, kernels, x, $"conv{stage + 1}_{conv++}", width, width, stride: 1, residual: true, config.ResidualBias);
                x = ConvPRelu(g, store, kernels, x, $"conv{stage + 1}_{conv++}", width, width, stride: 1, residual: true, config.ResidualBias);
                x = g.Node("Add", [skip, x], name: g.FreshName($"res{stage + 1}_{u + 1}"));
            }
            channels = width;
        }
        if (kernels.UsesDnnl) x = BlockedLayout.ToPlain(g, x);
        var flatShape = g.Info(x).Shape;
        long flat = flatShape[1] * flatShape[2] * flatShape[3];
        x = g.Node("Flatten", [x], [Attr.Int("axis", 1)], name: g.FreshName("flatten"));
        var w = store.GetOrCreate("fc5/weight", [config.EmbeddingSize, flat], new Filler.Xavier());
        var b = store.GetOrCreate("fc5/bias", [config.EmbeddingSize], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f);
        x = g.Node("Gemm", [x, g.Parameter(w), g.Parameter(b)], [Attr.Int("transB", 1)], name: g.FreshName("fc5"));
        if (config.LastRelu) x = g.Node("Relu", [x], name: g.FreshName("fc5_relu"));
        return x;
    }

    private static string ConvPRelu(GraphBuilder g, ParameterStore store, KernelChoice kernels, string x, string name, long cin, long cout, int stride, bool residual, bool residualBias = false)
    {
        Filler filler = residual ? new Filler.Gaussian(0.01) : new Filler.Xavier();
        var w = store.GetOrCreate($"{name}/weight", [cout, cin, 3, 3], filler);
        var inputs = new List<string> { x, g.Parameter(w) };
        if (!residual || residualBias)
            inputs.Add(g.Parameter(store.GetOrCreate($"{name}/bias", [cout], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f)));
        var geometry = new[] { Attr.Ints("strides", stride, stride), Attr.Ints("pads", 1, 1, 1, 1) };
        var slope = store.GetOrCreate($"relu{name[4..]}/slope", [cout, 1, 1], new Filler.Constant(0.25f));
        string y;
        if (kernels.UsesDnnl)
        {
            // "auto": Winograd where it pays on this CPU (oneDNN's on maps of at least 8×8, the plugin's own where oneDNN
            // has none), direct elsewhere — the plugin decides (docs/kernels.md).
            string algorithm = kernels.Kernels == Kernels.OneDnn && stride == 1 ? "auto" : "direct";
            y = g.Node(DnnlPlugin.ConvOp, inputs, [.. geometry, Attr.String("algorithm", algorithm), Attr.Int("block", kernels.Block)],
                name: g.FreshName(name), domain: DnnlPlugin.Domain);
            return g.Node(DnnlPlugin.PReluOp, [y, g.Parameter(slope)], name: g.FreshName($"relu{name[4..]}"), domain: DnnlPlugin.Domain);
        }
        y = g.Node("Conv", inputs, [Attr.Ints("kernel_shape", 3, 3), .. geometry], name: g.FreshName(name));
        return g.Node("PRelu", [y, g.Parameter(slope)], name: g.FreshName($"relu{name[4..]}"));
    }
}
