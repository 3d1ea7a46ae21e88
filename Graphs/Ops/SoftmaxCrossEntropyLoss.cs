using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

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
}
