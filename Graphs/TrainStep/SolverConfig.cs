namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// Caffe-style SGD settings. <paramref name="Momentum"/> μ and <paramref name="WeightDecay"/> apply to every
/// parameter; parameters named <c>…/bias</c> use <paramref name="BiasLrMult"/> and <paramref name="BiasDecayMult"/>,
/// all others the multipliers stored with the parameter (1 and 1 unless a graph says otherwise).
/// </summary>
public sealed record SolverConfig(float Momentum = 0.9f, float WeightDecay = 5e-4f, float BiasLrMult = 2f, float BiasDecayMult = 0f)
{
    /// <summary>The (lr, decay) multipliers applied to <paramref name="p"/>.</summary>
    public (float LrMult, float DecayMult) MultipliersFor(Parameters.Parameter p) =>
        p.Name.EndsWith("/bias", StringComparison.Ordinal) ? (BiasLrMult, BiasDecayMult) : (p.LrMult, p.DecayMult);
}
