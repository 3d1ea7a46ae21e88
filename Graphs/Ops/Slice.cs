using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Slice (opset 13+) with constant int64 starts, ends and optional axes and steps.</summary>
public sealed class Slice : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Slice";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        long[] Const(int i, string what) => graph.ConstantValue(node.Input[i]) as long[] ?? throw new ArgumentException($"{what} must be a constant int64 tensor");
        var x = inputs[0].Shape;
        var starts = Const(1, "starts");
        var ends = Const(2, "ends");
        var axes = node.Input.Count > 3 && node.Input[3].Length > 0 ? Const(3, "axes") : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = node.Input.Count > 4 && node.Input[4].Length > 0 ? Const(4, "steps") : Enumerable.Repeat(1L, starts.Length).ToArray();
        var shape = (long[])x.Clone();
        for (int i = 0; i < starts.Length; i++)
        {
            int a = Shapes.Axis(axes[i], x.Length);
            long d = x[a], s = starts[i], e = ends[i], t = steps[i];
            if (t == 0) throw new ArgumentException("step must not be 0");
            if (d < 0) throw new ArgumentException("cannot slice a dynamic axis");
            if (s < 0) s += d;
            if (e < 0) e += d;
            shape[a] = t > 0
                ? Math.Max(0, (Math.Clamp(e, 0, d) - Math.Clamp(s, 0, d) + t - 1) / t)
                : Math.Max(0, (Math.Clamp(s, 0, d - 1) - Math.Clamp(e, -1, d - 1) - t - 1) / -t);
        }
        return [inputs[0].WithShape(shape)];
    }
}
