using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// The pure-ONNX twin of the margin plugin: ψ(θ) and its gradient built from standard ops (Clip, Mul, Sub,
/// LessOrEqual, Cast, Where, …), so a runtime without the plugin can run the graphs. Each step is the same
/// float operation, in the same order, as the plugin's kernels (Models/Native/margin_math.h), so both
/// round identically. A graph built with the twin forward is differentiated through these standard ops.
/// </summary>
public static class MarginTwin
{
    /// <summary>
    /// ψ(θ) = (−1)^k T_m(x) − 2k with x = clamp(cos θ, −1, 1), T_m by the Chebyshev recurrence and
    /// k = #{j ∈ 1..m−1 : x ≤ cos(jπ/m)}. Output has the input's shape.
    /// </summary>
    public static string Psi(GraphBuilder g, string cosTheta, int m)
    {
        MarginFunction.CheckMargin(m);
        using var _ = g.Scope("psi_twin");
        string x = Clamp(g, cosTheta);
        if (m == 1) return x;
        string twoX = g.Node("Mul", [x, g.Const(2f)]);
        string tPrev = g.Const(1f), t = x;
        for (int d = 1; d < m; d++)
        {
            string tNext = g.Node("Sub", [g.Node("Mul", [twoX, t]), tPrev]);
            tPrev = t;
            t = tNext;
        }
        var (sign, k) = Interval(g, x, m);
        return g.Node("Sub", [g.Node("Mul", [sign, t]), g.Node("Mul", [k, g.Const(2f)])]);
    }

    /// <summary>
    /// dψ/d cos θ times <paramref name="upstream"/>: (−1)^k · m · U_{m−1}(x) · dψ, 0 where cos θ lies outside
    /// [−1, 1]. Both inputs must have the same shape.
    /// </summary>
    public static string Gradient(GraphBuilder g, string cosTheta, string upstream, int m)
    {
        MarginFunction.CheckMargin(m);
        using var _ = g.Scope("psi_twin_grad");
        string x = Clamp(g, cosTheta);
        string slope;
        if (m == 1)
        {
            slope = g.Const(1f);
        }
        else
        {
            string twoX = g.Node("Mul", [x, g.Const(2f)]);
            string uPrev = g.Const(1f), u = twoX;
            for (int d = 2; d < m; d++)
            {
                string uNext = g.Node("Sub", [g.Node("Mul", [twoX, u]), uPrev]);
                uPrev = u;
                u = uNext;
            }
            var (sign, _) = Interval(g, x, m);
            slope = g.Node("Mul", [g.Node("Mul", [u, g.Const((float)m)]), sign]);
        }
        string grad = g.Node("Mul", [slope, upstream]);
        string outside = g.Node("Or", [g.Node("Less", [cosTheta, g.Const(-1f)]), g.Node("Greater", [cosTheta, g.Const(1f)])]);
        return g.Node("Where", [outside, g.Const(0f), grad]);
    }

    /// <summary>The float thresholds cos(jπ/m), j = 1..m−1, shared with the plugin.</summary>
    public static float[] Thresholds(int m) =>
        Enumerable.Range(1, m - 1).Select(j => (float)Math.Cos(j * Math.PI / m)).ToArray();

    private static string Clamp(GraphBuilder g, string cosTheta) =>
        g.Node("Clip", [cosTheta, g.Const(-1f), g.Const(1f)]);

    // (−1)^k and k as floats, from one comparison per threshold (m ≥ 2).
    private static (string Sign, string K) Interval(GraphBuilder g, string x, int m)
    {
        string? sign = null, k = null;
        foreach (float threshold in Thresholds(m))
        {
            string b = g.Node("Cast", [g.Node("LessOrEqual", [x, g.Const(threshold)])], [Attr.Int("to", (long)ElementType.Float)]);
            string flip = g.Node("Sub", [g.Const(1f), g.Node("Mul", [b, g.Const(2f)])]);
            k = k is null ? b : g.Node("Add", [k, b]);
            sign = sign is null ? flip : g.Node("Mul", [sign, flip]);
        }
        return (sign!, k!);
    }
}
