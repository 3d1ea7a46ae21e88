using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>Mean softmax cross-entropy and top-1 accuracy of a [B, C] logits tensor.</summary>
public static class CrossEntropy
{
    /// <summary>
    /// −mean_i log softmax(logits_i)[y_i] as a float scalar (LogSoftmax + GatherElements, so an out-of-range label
    /// is a run-time error). NaN logits give a NaN loss.
    /// </summary>
    public static string MeanLoss(GraphBuilder g, string logits, string index)
    {
        string logProb = g.Node("LogSoftmax", [logits], [Attr.Int("axis", 1)]);
        string picked = TargetLogits.Gather(g, logProb, index);
        return g.Node("Neg", [g.Node("ReduceMean", [picked], [Attr.Int("keepdims", 0)])]);
    }

    /// <summary>Fraction of rows whose arg-max (first on ties) equals the label, as a float scalar.</summary>
    public static string Accuracy(GraphBuilder g, string logits, string label)
    {
        string predicted = g.Node("ArgMax", [logits], [Attr.Int("axis", 1), Attr.Int("keepdims", 0)]);
        string hit = g.Node("Cast", [g.Node("Equal", [predicted, label])], [Attr.Int("to", (long)ElementType.Float)]);
        return g.Node("ReduceMean", [hit], [Attr.Int("keepdims", 0)]);
    }
}
