using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Ops;

namespace SphereFace.Graphs.Autodiff;

/// <summary>
/// What a gradient rule sees for one forward node: the graph to emit backward nodes into, the node, the
/// static infos of its inputs and outputs, the upstream gradients of its outputs (null where none flows) and
/// which inputs need a gradient. Also offers small emitters the rules share (<see cref="Emit"/>,
/// <see cref="SumToShape"/>).
/// </summary>
public sealed class GradientContext
{
    /// <summary>Creates a context (used by the autodiff engine).</summary>
    public GradientContext(GraphBuilder graph, NodeProto node, string?[] outputGradients, bool[] inputNeedsGradient, ConvGradientOptions? convGradients = null)
    {
        Graph = graph;
        Node = node;
        OutputGradients = outputGradients;
        InputNeedsGradient = inputNeedsGradient;
        ConvGradients = convGradients ?? ConvGradientOptions.Default;
    }

    /// <summary>How the standard Conv rule formulates its gradients (a speed choice; every formulation is exact).</summary>
    public ConvGradientOptions ConvGradients { get; }

    /// <summary>The graph being extended with backward nodes (the forward nodes are already in it).</summary>
    public GraphBuilder Graph { get; }
    /// <summary>The forward node.</summary>
    public NodeProto Node { get; }
    /// <summary>dLoss/dOutput[i], or null when no gradient flows into that output.</summary>
    public string?[] OutputGradients { get; }
    /// <summary>True where input i needs a gradient.</summary>
    public bool[] InputNeedsGradient { get; }

    /// <summary>Name of forward input <paramref name="i"/>.</summary>
    public string Input(int i) => Node.Input[i];
    /// <summary>Name of forward output <paramref name="i"/>.</summary>
    public string Output(int i) => Node.Output[i];
    /// <summary>Static info of forward input <paramref name="i"/>.</summary>
    public TensorInfo InputInfo(int i) => Graph.Info(Node.Input[i]);
    /// <summary>Static info of forward output <paramref name="i"/>.</summary>
    public TensorInfo OutputInfo(int i) => Graph.Info(Node.Output[i]);
    /// <summary>True when the node has input <paramref name="i"/> (present and non-empty).</summary>
    public bool HasInput(int i) => i < Node.Input.Count && Node.Input[i].Length > 0;
    /// <summary>A fresh backward-node name derived from the forward node's name.</summary>
    public string Name(string suffix) => Graph.FreshName($"grad/{Node.Name}/{suffix}");

    /// <summary>True when input <paramref name="i"/> exists and needs a gradient.</summary>
    public bool Needs(int i) => i < InputNeedsGradient.Length && InputNeedsGradient[i] && HasInput(i);

    /// <summary>The upstream gradient of output 0 (the only output of most ops).</summary>
    public string Dy => OutputGradients[0] ?? throw new InvalidOperationException($"No gradient flows into '{Node.Name}'.");

    /// <summary>Adds one backward node named after the forward node and returns its output.</summary>
    public string Emit(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Graph.Node(opType, inputs, attributes, name: Name(char.ToLowerInvariant(opType[0]) + opType[1..]));

    /// <summary>
    /// Sums <paramref name="grad"/> over the axes along which a tensor of <paramref name="shape"/> was
    /// broadcast to the gradient's shape (leading extra axes and size-1 axes), then reshapes to
    /// <paramref name="shape"/>. Returns <paramref name="grad"/> unchanged when the shapes already match.
    /// </summary>
    public string SumToShape(string grad, long[] shape)
    {
        var g = Graph.Info(grad).Shape;
        if (g.SequenceEqual(shape)) return grad;
        int lead = g.Length - shape.Length;
        if (lead < 0) throw new InvalidOperationException($"Gradient of rank {g.Length} cannot reduce to rank {shape.Length}.");
        var axes = new List<long>();
        for (int i = 0; i < g.Length; i++)
            if (i < lead || (shape[i - lead] == 1 && g[i] != 1)) axes.Add(i);
        string summed = axes.Count == 0 ? grad
            : Emit("ReduceSum", [grad, Graph.ConstInts([.. axes])], Attr.Int("keepdims", 1));
        return Graph.Info(summed).Shape.SequenceEqual(shape) ? summed : Emit("Reshape", [summed, Graph.ConstInts(shape)]);
    }

    /// <summary>Reshapes <paramref name="grad"/> to the static shape of input <paramref name="i"/>.</summary>
    public string ReshapeToInput(string grad, int i)
    {
        var shape = InputInfo(i).Shape;
        if (shape.Any(d => d < 0)) throw new NotSupportedException($"'{Node.Name}': gradients need static shapes (input '{Input(i)}' is {InputInfo(i)}).");
        return Graph.Info(grad).Shape.SequenceEqual(shape) ? grad : Emit("Reshape", [grad, Graph.ConstInts(shape)]);
    }

    /// <summary>Gradient array of the node's input count, all null.</summary>
    public string?[] None() => new string?[Node.Input.Count];
}
