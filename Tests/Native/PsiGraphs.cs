using SphereFace.Graphs.Building;
using SphereFace.Graphs.Losses;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Native;

/// <summary>Tiny models around ψ: x [N] → psi, and (x, dy) [N] → dx, with the plugin ops or the twin.</summary>
internal static class PsiGraphs
{
    public static ModelProto Forward(int m, bool plugin)
    {
        var g = new GraphBuilder("psi");
        string x = g.Input("x", ElementType.Float, TensorInfo.Dynamic);
        g.Output(MarginFunction.Psi(g, x, m, plugin), "psi");
        return g.ToModel();
    }

    public static ModelProto Backward(int m, bool plugin)
    {
        var g = new GraphBuilder("psi_grad");
        string x = g.Input("x", ElementType.Float, TensorInfo.Dynamic);
        string dy = g.Input("dy", ElementType.Float, TensorInfo.Dynamic);
        g.Output(MarginFunction.Gradient(g, x, dy, m, plugin), "dx");
        return g.ToModel();
    }

    public static float[] RunForward(int m, bool plugin, float[] x, int threads = 1)
    {
        using var s = new GraphSession(Forward(m, plugin), plugin, threads);
        return s.Run(("x", x, [x.Length]))["psi"];
    }

    public static float[] RunBackward(int m, bool plugin, float[] x, float[] dy, int threads = 1)
    {
        using var s = new GraphSession(Backward(m, plugin), plugin, threads);
        return s.Run(("x", x, [x.Length]), ("dy", dy, [dy.Length]))["dx"];
    }
}
