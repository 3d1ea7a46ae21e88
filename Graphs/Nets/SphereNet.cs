using SphereFace.Graphs.Building;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Nets;

/// <summary>
/// Builds the SphereFace forward graph. Initialisation follows the original Caffe prototxt: stride-2 convs
/// and the FC use Xavier weights with zero bias; residual convs use Gaussian(0.01) weights without bias;
/// PReLU slopes are per channel, 0.25.
/// </summary>
public static class SphereNet
{
    /// <summary>
    /// Appends the net to <paramref name="g"/>: <paramref name="input"/> is float [N,3,112,96]; returns the
    /// embedding value [N, EmbeddingSize]. Parameters come from (or are created in) <paramref name="store"/>.
    /// </summary>
    public static string Forward(GraphBuilder g, string input, SphereNetConfig config, ParameterStore store)
    {
        var units = config.Units;
        string x = input;
        long channels = 3;
        for (int stage = 0; stage < 4; stage++)
        {
            long width = SphereNetConfig.Widths[stage];
            int conv = 1;
            x = ConvPRelu(g, store, x, $"conv{stage + 1}_{conv++}", channels, width, stride: 2, residual: false);
            for (int u = 0; u < units[stage]; u++)
            {
                string skip = x;
                x = ConvPRelu(g, store, x, $"conv{stage + 1}_{conv++}", width, width, stride: 1, residual: true);
                x = ConvPRelu(g, store, x, $"conv{stage + 1}_{conv++}", width, width, stride: 1, residual: true);
                x = g.Node("Add", [skip, x], name: g.FreshName($"res{stage + 1}_{u + 1}"));
            }
            channels = width;
        }
        var flatShape = g.Info(x).Shape;
        long flat = flatShape[1] * flatShape[2] * flatShape[3];
        x = g.Node("Flatten", [x], [Attr.Int("axis", 1)], name: g.FreshName("flatten"));
        var w = store.GetOrCreate("fc5/weight", [config.EmbeddingSize, flat], new Filler.Xavier());
        var b = store.GetOrCreate("fc5/bias", [config.EmbeddingSize], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f);
        x = g.Node("Gemm", [x, g.Parameter(w), g.Parameter(b)], [Attr.Int("transB", 1)], name: g.FreshName("fc5"));
        if (config.LastRelu) x = g.Node("Relu", [x], name: g.FreshName("fc5_relu"));
        return x;
    }

    private static string ConvPRelu(GraphBuilder g, ParameterStore store, string x, string name, long cin, long cout, int stride, bool residual)
    {
        Filler filler = residual ? new Filler.Gaussian(0.01) : new Filler.Xavier();
        var w = store.GetOrCreate($"{name}/weight", [cout, cin, 3, 3], filler);
        var attrs = new[] { Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", stride, stride), Attr.Ints("pads", 1, 1, 1, 1) };
        string y;
        if (residual)
            y = g.Node("Conv", [x, g.Parameter(w)], attrs, name: g.FreshName(name));
        else
        {
            var b = store.GetOrCreate($"{name}/bias", [cout], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f);
            y = g.Node("Conv", [x, g.Parameter(w), g.Parameter(b)], attrs, name: g.FreshName(name));
        }
        var slope = store.GetOrCreate($"relu{name[4..]}/slope", [cout, 1, 1], new Filler.Constant(0.25f));
        return g.Node("PRelu", [y, g.Parameter(slope)], name: g.FreshName($"relu{name[4..]}"));
    }
}
