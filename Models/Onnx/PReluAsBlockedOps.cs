using System.Runtime.InteropServices;
using SphereFace.Models.Onnx;

namespace SphereFace.Models.Onnx;

/// <summary>
/// Rewrites each <c>PRelu(x, s)</c> of a frozen graph as <c>x + Relu(BatchNormalization(x))</c>, the normalisation
/// having scale −(1 − s), bias 0, mean 0, variance 1 and ε 0, i.e. <c>x + Relu(−(1 − s)·x)</c>.
/// <para>
/// Why: ONNX Runtime's NCHWc layout transformer keeps BatchNormalization (as a 1×1 depthwise convolution with the
/// Relu fused into it), Relu and Add in the blocked layout, but not PRelu. Left alone, each PRelu costs a
/// ReorderOutput, a broadcast PRelu pass and a ReorderInput, and the residual Adds behind it run unblocked.
/// </para>
/// <para>
/// Applies to a PRelu whose slope is a float32 initializer of shape [C, 1, 1] or [1, C, 1, 1] with every value
/// finite and ≤ 1; others are left as they are. For finite x the result equals PRelu up to float rounding:
/// x ≥ 0 gives x + 0, x &lt; 0 gives x − (1 − s)·x = s·x (a slope above 1 would flip the sign of −(1 − s)·x, which
/// is why those keep their PRelu). NaN stays NaN; an infinite activation gives NaN (∞ − ∞) where PRelu gives ±∞.
/// </para>
/// </summary>
public static class PReluAsBlockedOps
{
    /// <summary>Rewrites the qualifying PRelu nodes of <paramref name="model"/> in place; returns how many.</summary>
    public static int Apply(ModelProto model)
    {
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.");
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var names = new HashSet<string>(graph.Node.SelectMany(n => n.Input.Concat(n.Output))
            .Concat(initializers.Keys).Concat(graph.Input.Select(i => i.Name)), StringComparer.Ordinal);
        var nodes = new List<NodeProto>(graph.Node.Count);
        int rewritten = 0;
        foreach (var node in graph.Node)
        {
            if (node.OpType == "PRelu" && (node.Domain is "" or "ai.onnx") && node.Input.Count == 2
                && initializers.TryGetValue(node.Input[1], out var slopeTensor) && TryReadSlopes(slopeTensor, out var slopes))
            {
                nodes.AddRange(Replacement(graph, node, slopes, names));
                rewritten++;
            }
            else nodes.Add(node);
        }
        if (rewritten == 0) return 0;
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var used = new HashSet<string>(nodes.SelectMany(n => n.Input));
        foreach (var unused in graph.Initializer.Where(t => !used.Contains(t.Name) && graph.Output.All(o => o.Name != t.Name)).ToList())
            graph.Initializer.Remove(unused);
        return rewritten;
    }

    /// <summary>The BatchNormalization → Relu → Add nodes (and their initializers) computing PRelu(x, s).</summary>
    private static IEnumerable<NodeProto> Replacement(GraphProto graph, NodeProto prelu, float[] slopes, HashSet<string> names)
    {
        string x = prelu.Input[0], y = prelu.Output[0];
        string stem = string.IsNullOrEmpty(prelu.Name) ? y : prelu.Name;
        string Fresh(string suffix)
        {
            string name = $"{stem}/{suffix}";
            for (int i = 1; !names.Add(name); i++) name = $"{stem}/{suffix}_{i}";
            return name;
        }
        int c = slopes.Length;
        var negatedComplement = new float[c];
        for (int i = 0; i < c; i++) negatedComplement[i] = -(1f - slopes[i]);
        string scale = AddVector(graph, Fresh("neg_one_minus_slope"), negatedComplement);
        string zeros = AddVector(graph, Fresh("zeros"), new float[c]);
        string ones = AddVector(graph, Fresh("ones"), Enumerable.Repeat(1f, c).ToArray());
        string scaled = Fresh("scaled"), clipped = Fresh("relu");

        var bn = new NodeProto { OpType = "BatchNormalization", Name = Fresh("bn") };
        bn.Input.AddRange([x, scale, zeros, zeros, ones]);
        bn.Output.Add(scaled);
        bn.Attribute.Add(Attr.Float("epsilon", 0f));
        var relu = new NodeProto { OpType = "Relu", Name = Fresh("relu_node") };
        relu.Input.Add(scaled);
        relu.Output.Add(clipped);
        var add = new NodeProto { OpType = "Add", Name = Fresh("add") };
        add.Input.AddRange([x, clipped]);
        add.Output.Add(y);
        return [bn, relu, add];
    }

    private static string AddVector(GraphProto graph, string name, float[] values)
    {
        graph.Initializer.Add(TensorProtos.Float(name, values, [values.Length]));
        return name;
    }

    /// <summary>Reads per-channel slopes ([C,1,1] or [1,C,1,1], float32, finite, ≤ 1); false when the rewrite does not apply.</summary>
    private static bool TryReadSlopes(TensorProto t, out float[] slopes)
    {
        slopes = [];
        if (t.DataType != (int)ElementType.Float || t.Dims.Count is < 3 or > 4 || t.Dims.Count == 4 && t.Dims[0] != 1) return false;
        int n = t.Dims.Count;
        if (t.Dims[n - 1] != 1 || t.Dims[n - 2] != 1 || t.Dims[n - 3] < 1) return false;
        long c = t.Dims[n - 3];
        if (t.RawData.Length > 0)
        {
            if (t.RawData.Length != c * sizeof(float)) return false;
            slopes = MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        }
        else if (t.FloatData.Count == c) slopes = t.FloatData.ToArray();
        else return false;
        return slopes.All(s => float.IsFinite(s) && s <= 1f);
    }
}
