using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Optimizers;

/// <summary>
/// Caffe's SGD update as graph nodes, in Caffe's order (SGDSolver: Regularize, then ComputeUpdateValue,
/// then Blob::Update): diff = g + decay·decay_mult·w; v' = μ·v + lr·lr_mult·diff; w' = w − v'.
/// </summary>
public static class SgdMomentum
{
    /// <summary>
    /// Appends the update of one parameter <paramref name="weight"/> with gradient <paramref name="grad"/>
    /// (null: the loss does not depend on it, only decay moves it) and momentum <paramref name="velocity"/>;
    /// <paramref name="scaledLr"/> is the scalar lr·lr_mult; momentum and weight decay are <paramref name="solver"/>'s, the
    /// decay times <paramref name="decayMult"/> (the parameter's). Returns the nodes named
    /// <paramref name="nextWeight"/> and <paramref name="nextVelocity"/>. NaN in the gradient propagates to both.
    /// When the gradient is the only use of a Gemm output without a C input (a fully connected layer's weight
    /// gradient), the decay term joins that Gemm as C = w, β = decay: the same sum without two passes over the
    /// parameter (for SF nets' fc5 and fc6, 16 M values).
    /// </summary>
    public static (string Weight, string Velocity) Append(GraphBuilder g, string weight, string? grad, string velocity,
        string scaledLr, TrainStep.SolverSpec solver, float decayMult, string nextWeight, string nextVelocity)
    {
        float momentum = solver.Momentum, decay = solver.WeightDecay * decayMult;
        string? diff = grad;
        bool folded = decay != 0f && grad is not null && TryFoldDecay(g, grad, weight, decay);
        if (decay != 0f && !folded)
        {
            string decayed = g.Node("Mul", [weight, g.Const(decay)], name: g.FreshName($"sgd/{weight}/decay"));
            diff = diff is null ? decayed : g.Node("Add", [diff, decayed], name: g.FreshName($"sgd/{weight}/diff"));
        }
        string step = diff is null
            ? g.Node("Mul", [velocity, g.Const(0f)], name: g.FreshName($"sgd/{weight}/zero"))
            : g.Node("Mul", [diff, scaledLr], name: g.FreshName($"sgd/{weight}/step"));
        string v = g.Node("Add", [g.Node("Mul", [velocity, g.Const(momentum)], name: g.FreshName($"sgd/{weight}/momentum")), step], name: nextVelocity);
        string w = g.Node("Sub", [weight, v], name: nextWeight);
        return (w, v);
    }

    /// <summary>
    /// Turns the Gemm producing <paramref name="grad"/> into Gemm(A, B, C = weight, β = decay), so its output is
    /// g + decay·w (summed in another order than a separate Add: float rounding may differ in the last bit).
    /// </summary>
    private static bool TryFoldDecay(GraphBuilder g, string grad, string weight, float decay)
    {
        var producer = g.Nodes.LastOrDefault(n => n.Output.Count > 0 && n.Output[0] == grad);
        if (producer is null || producer.OpType != "Gemm" || producer.Domain.Length > 0 || producer.Input.Count != 2) return false;
        if (producer.Attribute.Any(a => a.Name == "beta")) return false;
        if (!g.Info(grad).Shape.SequenceEqual(g.Info(weight).Shape)) return false;
        if (g.Nodes.Any(n => n.Input.Contains(grad))) return false;
        producer.Input.Add(weight);
        producer.Attribute.Add(Attr.Float("beta", decay));
        return true;
    }
}
