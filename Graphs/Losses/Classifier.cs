using SphereFace.Graphs.Building;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// The classifier layer of the loss heads ("fc6", Caffe InnerProduct layout): weight [classes, D] with the
/// Caffe Xavier filler, bias [classes] (softmax only) zero-filled with lr_mult 2 and decay_mult 0.
/// </summary>
public static class Classifier
{
    /// <summary>Parameter name of the weight.</summary>
    public const string WeightName = "fc6/weight";
    /// <summary>Parameter name of the bias (plain softmax only).</summary>
    public const string BiasName = "fc6/bias";

    /// <summary>Adds the weight [classes, <paramref name="width"/>] to the graph and returns its name.</summary>
    public static string Weight(GraphBuilder g, ParameterStore store, int classes, long width) =>
        g.Parameter(store.GetOrCreate(WeightName, [classes, width], new Filler.Xavier()));

    /// <summary>Adds the bias [classes] to the graph and returns its name.</summary>
    public static string Bias(GraphBuilder g, ParameterStore store, int classes) =>
        g.Parameter(store.GetOrCreate(BiasName, [classes], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f));

    /// <summary>
    /// Each row of <paramref name="weight"/> [C, D] divided by its L2 norm, inside the graph (so the stored weight
    /// stays free and is renormalised every step). A zero row gives NaN.
    /// </summary>
    public static string NormalisedRows(GraphBuilder g, string weight) =>
        g.Node("Div", [weight, RowNorm(g, weight)]);

    /// <summary>L2 norm of each row of a [N, D] tensor, as [N, 1].</summary>
    public static string RowNorm(GraphBuilder g, string x) =>
        g.Node("ReduceL2", [x], [Attr.Ints("axes", 1), Attr.Int("keepdims", 1)]);

    /// <summary>x · Wᵀ for x [B, D] and W [C, D] (plus an optional bias [C]) → [B, C].</summary>
    public static string Project(GraphBuilder g, string x, string weight, string? bias = null) =>
        g.Node("Gemm", bias is null ? [x, weight] : [x, weight, bias], [Attr.Int("transB", 1)]);

    /// <summary>
    /// Rows of <paramref name="x"/> [N, D] scaled to unit length, with zero rows kept at zero (norm floored at
    /// 1e-12) — for centres of classes that have no features yet.
    /// </summary>
    public static string UnitRowsOrZero(GraphBuilder g, string x) =>
        g.Node("Div", [x, g.Node("Max", [RowNorm(g, x), g.Const(1e-12f)])]);
}
