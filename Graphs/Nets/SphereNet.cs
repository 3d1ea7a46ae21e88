using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Ops.Dnnl;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Nets;

/// <summary>
/// Builds the SphereFace forward graph. Initialisation follows the original Caffe prototxt: stride-2 convs
/// and the FC use Xavier weights with zero bias; residual convs use Gaussian(0.01) weights without bias;
/// PReLU slopes are per channel, 0.25. <see cref="Kernels"/> chooses the conv ops: standard ONNX Conv on NCHW, or
/// the oneDNN plugin's Conv and PRelu on nChw16c activations (the last stage turned back to NCHW before the
/// embedding FC); parameters are the same either way.
/// </summary>
public static class SphereNet
{
    /// <summary>
    /// Appends the net to <paramref name="g"/>: <paramref name="input"/> is float [N,3,112,96]; returns the
    /// embedding value [N, EmbeddingSize]. Parameters come from (or are created in) <paramref name="store"/>.
    /// </summary>
    public static string Forward(GraphBuilder g, string input, SphereNetConfig config, ParameterStore store, Kernels kernels = Kernels.Standard)
    {
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
        if (kernels.UsesDnnl()) x = BlockedLayout.ToPlain(g, x);
        var flatShape = g.Info(x).Shape;
        long flat = flatShape[1] * flatShape[2] * flatShape[3];
        x = g.Node("Flatten", [x], [Attr.Int("axis", 1)], name: g.FreshName("flatten"));
        var w = store.GetOrCreate("fc5/weight", [config.EmbeddingSize, flat], new Filler.Xavier());
        var b = store.GetOrCreate("fc5/bias", [config.EmbeddingSize], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f);
        x = g.Node("Gemm", [x, g.Parameter(w), g.Parameter(b)], [Attr.Int("transB", 1)], name: g.FreshName("fc5"));
        if (config.LastRelu) x = g.Node("Relu", [x], name: g.FreshName("fc5_relu"));
        return x;
    }

    /// <summary>
    /// Winograd ("auto": where oneDNN offers it, else direct) for stride-1 convs whose map is at least 8×8; direct below,
    /// i.e. stage 4 (7×6), where F(4×4, 3×3)'s 8×8 tiling is mostly padding and its weight-gradient scratchpad
    /// (140 MB at batch 32) would sit at the step's memory peak: measured with it direct, SF-20 batch 32 peaked at
    /// 1005 instead of 1111 MiB at the same speed (docs/kernels.md).
    /// </summary>
    private static bool WinogradPays(long[] inputShape)
    {
        var logical = BlockedLayout.Logical(inputShape);
        return logical[2] >= 8 && logical[3] >= 8;
    }

    private static string ConvPRelu(GraphBuilder g, ParameterStore store, Kernels kernels, string x, string name, long cin, long cout, int stride, bool residual, bool residualBias = false)
    {
        Filler filler = residual ? new Filler.Gaussian(0.01) : new Filler.Xavier();
        var w = store.GetOrCreate($"{name}/weight", [cout, cin, 3, 3], filler);
        var inputs = new List<string> { x, g.Parameter(w) };
        if (!residual || residualBias)
            inputs.Add(g.Parameter(store.GetOrCreate($"{name}/bias", [cout], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f)));
        var geometry = new[] { Attr.Ints("strides", stride, stride), Attr.Ints("pads", 1, 1, 1, 1) };
        var slope = store.GetOrCreate($"relu{name[4..]}/slope", [cout, 1, 1], new Filler.Constant(0.25f));
        string y;
        if (kernels.UsesDnnl())
        {
            string algorithm = kernels == Kernels.OneDnn && stride == 1 && WinogradPays(g.Info(x).Shape) ? "auto" : "direct";
            y = g.Node(DnnlPlugin.ConvOp, inputs, [.. geometry, Attr.String("algorithm", algorithm)], name: g.FreshName(name), domain: DnnlPlugin.Domain);
            return g.Node(DnnlPlugin.PReluOp, [y, g.Parameter(slope)], name: g.FreshName($"relu{name[4..]}"), domain: DnnlPlugin.Domain);
        }
        y = g.Node("Conv", inputs, [Attr.Ints("kernel_shape", 3, 3), .. geometry], name: g.FreshName(name));
        return g.Node("PRelu", [y, g.Parameter(slope)], name: g.FreshName($"relu{name[4..]}"));
    }
}
