using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Autodiff;

/// <summary>
/// What a gradient rule sees for one forward node: the graph to emit backward nodes into, the node, the
/// static infos of its inputs and outputs, the upstream gradients of its outputs (null where none flows) and
/// which inputs need a gradient.
/// </summary>
public sealed class GradientContext
{
    /// <summary>Creates a context (used by the autodiff engine).</summary>
    public GradientContext(GraphBuilder graph, NodeProto node, string?[] outputGradients, bool[] inputNeedsGradient)
    {
        Graph = graph;
        Node = node;
        OutputGradients = outputGradients;
        InputNeedsGradient = inputNeedsGradient;
    }

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
}
