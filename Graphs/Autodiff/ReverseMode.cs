using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Ops;

namespace SphereFace.Graphs.Autodiff;

/// <summary>
/// Reverse-mode differentiation of a <see cref="GraphBuilder"/>'s forward nodes. Walks the nodes that lie on
/// a path from a requested value to the loss in reverse topological order, asks each op's
/// <see cref="IOpRule.Gradient"/> for the gradients of its inputs, and sums the contributions of values used
/// several times. Backward nodes are appended to the same graph.
/// </summary>
public static class ReverseMode
{
    // The seed of the backward pass: d loss / d loss.
    private static readonly float[] One = [1f];

    /// <summary>Suffix of an Identity node's name that makes it a stop-gradient (its output is treated as a constant).</summary>
    public const string StopGradientSuffix = "/stop_gradient";

    /// <summary>
    /// Appends the backward graph of float scalar <paramref name="loss"/> with respect to each value in
    /// <paramref name="wrt"/> and returns, per requested value, the name of its gradient (same shape as the
    /// value), or null when the loss does not depend on it. Only float values carry gradients; nodes that do
    /// not lie between a requested value and the loss are skipped (pruned), and so are stop-gradient Identity
    /// nodes and everything only they connect. <paramref name="convGradients"/> chooses the standard Conv rule's
    /// formulations (default: <see cref="ConvGradientOptions.Default"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Differentiate(GraphBuilder g, string loss, IReadOnlyList<string> wrt,
        ConvGradientOptions? convGradients = null)
    {
        var lossInfo = g.Info(loss);
        if (lossInfo.Type != ElementType.Float || lossInfo.ElementCount != 1)
            throw new GraphBuildException($"Loss '{loss}' must be a float scalar, got {lossInfo}.");
        var nodes = g.Nodes.ToArray();

        // Forward pass: values that depend on a requested value through differentiable edges.
        var active = new HashSet<string>(wrt, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (IsStopGradient(node)) continue;
            if (!node.Input.Any(active.Contains)) continue;
            foreach (var o in node.Output)
                if (g.Info(o).Type == ElementType.Float) active.Add(o);
        }

        // Backward pass: values the loss depends on.
        var needed = new HashSet<string>(StringComparer.Ordinal) { loss };
        var relevant = new List<NodeProto>();
        for (int k = nodes.Length - 1; k >= 0; k--)
        {
            var node = nodes[k];
            if (!node.Output.Any(needed.Contains)) continue;
            if (IsStopGradient(node) || !node.Input.Any(active.Contains)) continue;
            relevant.Add(node);
            foreach (var i in node.Input) if (i.Length > 0) needed.Add(i);
        }

        var contributions = new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            [loss] = [g.Const(One, lossInfo.Shape)],
        };
        foreach (var node in relevant) // already in reverse topological order
        {
            var outGrads = node.Output.Select(o => Accumulate(g, o, contributions)).ToArray();
            if (outGrads.All(x => x is null)) continue;
            var needs = node.Input.Select(i => i.Length > 0 && active.Contains(i) && needed.Contains(i)).ToArray();
            var rule = OpRegistry.Get(node.OpType, node.Domain);
            var ctx = new GradientContext(g, node, outGrads, needs, convGradients);
            var inGrads = rule.Gradient(ctx);
            for (int i = 0; i < node.Input.Count && i < inGrads.Length; i++)
            {
                if (!needs[i] || inGrads[i] is not { } gi) continue;
                var want = g.Info(node.Input[i]);
                var got = g.Info(gi);
                if (!got.Equals(want))
                    throw new GraphBuildException($"Gradient rule of '{node.OpType}' (node '{node.Name}') gave {got} for input '{node.Input[i]}' of {want}.");
                if (!contributions.TryGetValue(node.Input[i], out var list)) contributions[node.Input[i]] = list = [];
                list.Add(gi);
            }
        }
        return wrt.Distinct().ToDictionary(w => w, w => Accumulate(g, w, contributions), StringComparer.Ordinal);
    }

    /// <summary>True for an Identity node whose name ends with <see cref="StopGradientSuffix"/>.</summary>
    public static bool IsStopGradient(NodeProto node) =>
        node.OpType == "Identity" && node.Domain.Length == 0 && node.Name.EndsWith(StopGradientSuffix, StringComparison.Ordinal);

    /// <summary>Sums the collected contributions to <paramref name="value"/>'s gradient into one value (cached).</summary>
    private static string? Accumulate(GraphBuilder g, string value, Dictionary<string, List<string>> contributions)
    {
        if (!contributions.TryGetValue(value, out var list) || list.Count == 0) return null;
        if (list.Count == 1) return list[0];
        string sum = g.Node("Sum", list, name: g.FreshName($"grad/{value}/sum"));
        list.Clear();
        list.Add(sum);
        return sum;
    }
}
