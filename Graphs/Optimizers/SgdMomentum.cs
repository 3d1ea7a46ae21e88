using SphereFace.Graphs.Building;

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
    /// <paramref name="scaledLr"/> is the scalar lr·lr_mult. Returns the nodes named
    /// <paramref name="nextWeight"/> and <paramref name="nextVelocity"/>. NaN in the gradient propagates to both.
    /// </summary>
    public static (string Weight, string Velocity) Append(GraphBuilder g, string weight, string? grad, string velocity,
        string scaledLr, float momentum, float decay, string nextWeight, string nextVelocity)
    {
        string? diff = grad;
        if (decay != 0f)
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
}
