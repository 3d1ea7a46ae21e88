using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// ONNX SoftmaxCrossEntropyLoss(scores [N,C], labels [N]) with reduction "mean" (default), "sum" or "none";
/// outputs the loss (scalar, or [N] for "none") and optionally the log-probabilities [N,C].
/// </summary>
public sealed class SoftmaxCrossEntropyLoss : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "SoftmaxCrossEntropyLoss";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var scores = inputs[0];
        if (scores.Rank != 2 || inputs[1].Rank != 1) throw new ArgumentException("expects scores [N,C] and labels [N]");
        string reduction = node.GetString("reduction", "mean");
        var loss = reduction == "none" ? scores.WithShape(scores.Shape[0]) : scores.WithShape();
        return [loss, scores];
    }

    /// <summary>
    /// dscores = (softmax(scores) − onehot(labels))·dloss / N for reduction "mean" (·dloss for "sum",
    /// ·dloss[n] per row for "none"), plus the log-probability output's contribution
    /// dlogp − softmax·Σ_c dlogp when that output is used. Per-class weights and ignore_index are not supported.
    /// </summary>
    public string?[] Gradient(GradientContext ctx)
    {
        if (ctx.HasInput(2) || ctx.Node.Attribute.Any(a => a.Name == "ignore_index"))
            throw new NotSupportedException($"SoftmaxCrossEntropyLoss '{ctx.Node.Name}': no gradient with class weights or ignore_index.");
        var g = ctx.Graph;
        var shape = ctx.InputInfo(0).Shape;
        long n = shape[0], classes = shape[1];
        string p = ctx.Emit("Softmax", [ctx.Input(0)], Attr.Int("axis", 1));
        string? total = null;
        if (ctx.OutputGradients[0] is { } dloss)
        {
            string onehot = ctx.Emit("OneHot", [ctx.Input(1), g.ConstInts(classes), g.Const([0f, 1f], 2)], Attr.Int("axis", -1));
            string diff = ctx.Emit("Sub", [p, onehot]);
            string scale = ctx.Node.GetString("reduction", "mean") switch
            {
                "mean" => ctx.Emit("Mul", [dloss, g.Const(1f / n)]),
                "sum" => dloss,
                "none" => ctx.Emit("Unsqueeze", [dloss, g.ConstInts(1)]),
                var r => throw new NotSupportedException($"SoftmaxCrossEntropyLoss '{ctx.Node.Name}': unknown reduction '{r}'."),
            };
            total = ctx.Emit("Mul", [diff, scale]);
        }
        if (ctx.Node.Output.Count > 1 && ctx.OutputGradients[1] is { } dlogp)
        {
            string sum = ctx.Emit("ReduceSum", [dlogp, g.ConstInts(1)], Attr.Int("keepdims", 1));
            string part = ctx.Emit("Sub", [dlogp, ctx.Emit("Mul", [p, sum])]);
            total = total is null ? part : ctx.Emit("Add", [total, part]);
        }
        var result = ctx.None();
        result[0] = total;
        return result;
    }
}
