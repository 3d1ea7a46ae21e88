using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// ψ(θ) of A-Softmax in a graph, either as the plugin's custom op (<c>ai.sphereface.Psi</c>, gradient
/// <c>ai.sphereface.PsiGrad</c>) or as its pure-ONNX twin (<see cref="MarginTwin"/>).
/// </summary>
public static class MarginFunction
{
    /// <summary>Appends ψ of <paramref name="cosTheta"/> for margin <paramref name="m"/>.</summary>
    public static string Psi(GraphBuilder g, string cosTheta, int m, bool usePlugin)
    {
        CheckMargin(m);
        return usePlugin
            ? g.Node(MarginPlugin.PsiOp, [cosTheta], [Attr.Int("m", m)], domain: MarginPlugin.Domain)
            : MarginTwin.Psi(g, cosTheta, m);
    }

    /// <summary>Appends dψ/d cos θ · <paramref name="upstream"/> for margin <paramref name="m"/>.</summary>
    public static string Gradient(GraphBuilder g, string cosTheta, string upstream, int m, bool usePlugin)
    {
        CheckMargin(m);
        return usePlugin
            ? g.Node(MarginPlugin.PsiGradOp, [cosTheta, upstream], [Attr.Int("m", m)], domain: MarginPlugin.Domain)
            : MarginTwin.Gradient(g, cosTheta, upstream, m);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless 1 ≤ m ≤ 8.</summary>
    public static void CheckMargin(int m)
    {
        if (m < MarginPlugin.MinMargin || m > MarginPlugin.MaxMargin)
            throw new Models.Errors.InputException($"The A-Softmax margin m must be an integer in [{MarginPlugin.MinMargin}, {MarginPlugin.MaxMargin}], got {m}.");
    }
}
