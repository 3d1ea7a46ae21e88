using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// Label plumbing shared by the heads: a gather index per sample, the target column of a [B, C] tensor and
/// the replacement of the target logits through a one-hot mask (logits + onehot · (new − old)), whose
/// gradient is simple element-wise arithmetic.
/// </summary>
public static class TargetLogits
{
    /// <summary>
    /// The labels [B] with negative values shifted below −C, so that, like labels ≥ C, they make a gather fail with
    /// an out-of-range error instead of wrapping around (ONNX gathers accept negative indices).
    /// </summary>
    public static string SafeLabel(GraphBuilder g, string label, int classes)
    {
        string negative = g.Node("Less", [label, g.ConstInts(0)]);
        return g.Node("Where", [negative, g.Node("Sub", [label, g.ConstInts(classes)]), label]);
    }

    /// <summary>The labels as a [B, 1] int64 gather index (see <see cref="SafeLabel"/>).</summary>
    public static string Index(GraphBuilder g, string label, int classes) =>
        g.Node("Unsqueeze", [SafeLabel(g, label, classes), g.ConstInts(1)]);

    /// <summary>The target column of <paramref name="values"/> [B, C]: [B, 1].</summary>
    public static string Gather(GraphBuilder g, string values, string index) =>
        g.Node("GatherElements", [values, index], [Attr.Int("axis", 1)], name: g.FreshName("gather_by_label"));

    /// <summary>One-hot float mask [B, C] of the labels (all zero for a label outside [0, C)).</summary>
    public static string OneHot(GraphBuilder g, string label, int classes)
    {
        string column = g.Node("Unsqueeze", [label, g.ConstInts(1)]);
        string range = g.ConstInts(Enumerable.Range(0, classes).Select(i => (long)i).ToArray());
        return g.Node("Cast", [g.Node("Equal", [column, range])], [Attr.Int("to", (long)ElementType.Float)]);
    }

    /// <summary>Replaces the target entries of <paramref name="logits"/> (old value <paramref name="oldTarget"/> [B,1]) by <paramref name="newTarget"/> [B,1].</summary>
    public static string Replace(GraphBuilder g, string logits, string oneHot, string oldTarget, string newTarget) =>
        g.Node("Add", [logits, g.Node("Mul", [oneHot, g.Node("Sub", [newTarget, oldTarget])])]);
}
