using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Autodiff;

/// <summary>
/// Finite-difference check of the autodiff engine on a small graph: the loss is Σ y·R for a random R (so
/// every output element matters), the analytic gradients come from the backward graph run in ONNX Runtime,
/// and the reference is the central difference (L(x + ε) − L(x − ε)) / 2ε with L evaluated in double from
/// the forward output. Checks a few random coordinates of every differentiated input.
/// </summary>
internal sealed class GradientCheck
{
    private readonly Dictionary<string, (long[] Shape, Array Data)> _inputs = new(StringComparer.Ordinal);
    private readonly List<string> _wrt = [];
    private readonly SeededRandom _rng;

    public GradientCheck(ulong seed) => _rng = new SeededRandom(seed);

    public SeededRandom Random => _rng;

    /// <summary>Adds a float input with uniform values in [lo, hi), pushed at least <paramref name="awayFromZero"/> from 0 (kinks).</summary>
    public GradientCheck Float(string name, long[] shape, bool differentiate = true, double lo = -1, double hi = 1, double awayFromZero = 0)
    {
        var data = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (int i = 0; i < data.Length; i++)
        {
            double v = _rng.Uniform(lo, hi);
            if (Math.Abs(v) < awayFromZero) v = v < 0 ? v - awayFromZero : v + awayFromZero;
            data[i] = (float)v;
        }
        _inputs[name] = (shape, data);
        if (differentiate) _wrt.Add(name);
        return this;
    }

    /// <summary>Adds an int64 input.</summary>
    public GradientCheck Ints(string name, long[] shape, long[] data)
    {
        _inputs[name] = (shape, data);
        return this;
    }

    /// <summary>
    /// Builds the graph with <paramref name="forward"/> (given the builder, returns the output value), runs
    /// forward + backward and compares <paramref name="coordinates"/> random coordinates per input with
    /// central differences of step <paramref name="eps"/>; |fd − analytic| ≤ atol + rtol·max(|fd|, |analytic|).
    /// </summary>
    public void Run(Func<GraphBuilder, string> forward, double eps = 1e-2, double rtol = 1e-2, double atol = 1e-3, int coordinates = 6,
        ConvGradientOptions? convGradients = null)
    {
        var g = new GraphBuilder("gradcheck");
        foreach (var (name, (shape, data)) in _inputs)
            g.Input(name, data is float[] ? ElementType.Float : ElementType.Int64, shape);
        string y = forward(g);
        var yShape = g.Info(y).Shape;
        var r = new float[yShape.Aggregate(1L, (a, d) => a * d)];
        for (int i = 0; i < r.Length; i++) r[i] = (float)_rng.Uniform(-1, 1);
        string loss = g.Node("ReduceSum", [g.Node("Mul", [y, g.Const(r, yShape)]), g.ConstInts(Enumerable.Range(0, yShape.Length).Select(i => (long)i).ToArray())],
            [Attr.Int("keepdims", 0)]);
        var grads = ReverseMode.Differentiate(g, loss, _wrt, convGradients);
        g.Output(y, "y_out");
        var gradOutputs = new List<string>();
        foreach (var w in _wrt)
        {
            Assert.IsNotNull(grads[w], $"no gradient for input '{w}'");
            gradOutputs.Add(g.Output(grads[w]!, $"grad_out/{w}"));
        }
        using var model = new OrtModel(g.ToModel());
        var analytic = model.Run(_inputs, gradOutputs);

        double Loss()
        {
            var yv = model.Run(_inputs, ["y_out"])[0];
            double s = 0;
            for (int i = 0; i < yv.Length; i++) s += (double)yv[i] * r[i];
            return s;
        }
        for (int k = 0; k < _wrt.Count; k++)
        {
            var data = (float[])_inputs[_wrt[k]].Data;
            Assert.AreEqual(data.Length, analytic[k].Length, $"gradient of '{_wrt[k]}' has the wrong size");
            for (int c = 0; c < Math.Min(coordinates, data.Length); c++)
            {
                int i = _rng.NextInt(data.Length);
                float saved = data[i];
                data[i] = (float)(saved + eps);
                double plus = Loss();
                data[i] = (float)(saved - eps);
                double minus = Loss();
                data[i] = saved;
                double step = (double)(float)(saved + eps) - (float)(saved - eps);
                double fd = (plus - minus) / step;
                double an = analytic[k][i];
                Assert.IsTrue(Math.Abs(fd - an) <= atol + rtol * Math.Max(Math.Abs(fd), Math.Abs(an)),
                    $"d loss / d {_wrt[k]}[{i}]: analytic {an:G6}, finite difference {fd:G6}");
            }
        }
    }
}
