using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// <c>ai.sphereface.dnnl.Conv</c>(X, W, B?, slope?, residual?) → Y: a 2-D convolution on oneDNN, group 1, no
/// dilation. X is NCHW [N,C,H,W] or blocked [N,C/b,H,W,b]; W [M,C,kh,kw]; Y blocked [N,M/b,OH,OW,b] with ONNX's
/// output size, b the attribute block (8 or 16; 16 when absent). With slope (M values) and residual (Y's shape) the
/// kernel also applies PReLU and then adds the residual (an inference-only fusion: such nodes have no gradient).
/// Attributes: strides, pads (ONNX order), algorithm (direct | winograd | auto | plugin_winograd), block, constant_weights.
/// </summary>
public sealed class DnnlConv : IOpRule
{
    /// <inheritdoc/>
    public string OpType => DnnlPlugin.ConvOp;

    /// <inheritdoc/>
    public string Domain => DnnlPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = BlockedLayout.Logical(inputs[0].Shape);
        var w = inputs[1].Shape;
        if (w.Length != 4) throw new ArgumentException("weights must be [M,C,kh,kw]");
        if (x[1] != w[1]) throw new ArgumentException($"input has {x[1]} channels, weights expect {w[1]}");
        if (inputs.Count > 2 && inputs[2] is { } b && b.ElementCount != w[0]) throw new ArgumentException($"bias must have {w[0]} values");
        if (inputs.Count > 3 && inputs[3] is { } s && s.ElementCount != w[0]) throw new ArgumentException($"slope must have {w[0]} values");
        var (stride, pads, _) = Conv.Geometry(node);
        long Out(long size, int axis) => size < 0 ? -1 : (size + pads[axis] + pads[axis + 2] - w[axis + 2]) / stride[axis] + 1;
        var y = new TensorInfo(ElementType.Float, BlockedLayout.Shape(x[0], w[0], Out(x[2], 0), Out(x[3], 1), OutputBlock(node)));
        if (inputs.Count > 4 && inputs[4] is { } r && !r.Equals(y)) throw new ArgumentException($"residual must be {y}");
        return [y];
    }

    /// <summary>The block of the node's output: its attribute <c>block</c>, 16 (the only block before it was a choice) when absent.</summary>
    public static int OutputBlock(NodeProto node) => (int)(node.Attribute.FirstOrDefault(a => a.Name == "block")?.I ?? 16);

    /// <summary>
    /// dW and dB from one <see cref="DnnlConvGradWeight"/> node (outputs 0 and 1), dX from a <see cref="DnnlConvGradInput"/>
    /// node in X's layout. Both run with the forward node's algorithm. When X is the output of a <see cref="DnnlPRelu"/>,
    /// the weight gradient reads a recomputed PReLU of that node's input instead of X itself (see <see cref="Recomputed"/>).
    /// </summary>
    public string?[] Gradient(GradientContext ctx)
    {
        if (ctx.HasInput(3) || ctx.HasInput(4))
            throw new NotSupportedException($"'{ctx.Node.Name}': the fused PReLU/residual form of {Domain}.{OpType} is for inference and has no gradient.");
        var g = ctx.Graph;
        var result = ctx.None();
        var geometry = ctx.Node.Attribute.Where(a => a.Name is "strides" or "pads" or "algorithm").ToArray();
        var w = ctx.InputInfo(1).Shape;
        if (ctx.Needs(1) || ctx.Needs(2))
        {
            var attrs = geometry.Append(Attr.Ints("kernel_shape", w[2], w[3])).ToArray();
            var outs = g.NodeMulti(DnnlPlugin.ConvGradWeightOp, [Recomputed(ctx), ctx.Dy], ctx.HasInput(2) ? 2 : 1, attrs,
                name: ctx.Name("conv_grad_weight"), domain: Domain);
            if (ctx.Needs(1)) result[1] = outs[0];
            if (ctx.Needs(2)) result[2] = ctx.ReshapeToInput(outs[1], 2);
        }
        if (ctx.Needs(0))
        {
            var xs = ctx.InputInfo(0).Shape;
            if (xs.Any(d => d < 0)) throw new NotSupportedException($"'{ctx.Node.Name}': gradients need a static input shape, got {ctx.InputInfo(0)}.");
            var attrs = geometry.Append(Attr.Ints("input_shape", xs)).ToArray();
            result[0] = g.Node(DnnlPlugin.ConvGradInputOp, [ctx.Dy, ctx.Input(1)], attrs, name: ctx.Name("conv_grad_input"), domain: Domain);
        }
        return result;
    }

    /// <summary>
    /// X for the weight gradient. The input of a PReLU node is kept for the PReLU's own gradient anyway, so a PReLU output
    /// feeding this conv is recomputed from it (one cheap pass) rather than kept alive from the forward pass to the
    /// backward one: PyTorch keeps both; this frees one activation per conv at the step's memory peak (SF-20, batch 32:
    /// about 110 MB; docs/kernels.md). The recomputation runs the same kernel on the same input, so X is bit-identical.
    /// </summary>
    private static string Recomputed(GradientContext ctx)
    {
        string x = ctx.Input(0);
        var producer = ctx.Graph.Nodes.LastOrDefault(n => n.Output.Contains(x));
        if (producer is null || producer.Domain != DnnlPlugin.Domain || producer.OpType != DnnlPlugin.PReluOp) return x;
        return ctx.Graph.Node(DnnlPlugin.PReluOp, [producer.Input[0], producer.Input[1]], name: ctx.Name("recomputed_input"), domain: DnnlPlugin.Domain);
    }
}
