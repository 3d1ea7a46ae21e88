using System.Text.Json.Nodes;
using SphereFace.Graphs.Losses;

namespace SphereFace.Tests.Losses;

/// <summary>
/// A head added as one file, as docs/losses.md describes: NormFace, s·cos θ_j with normalised features and weights.
/// Nothing else in the code base names it; <see cref="LossHeads.RegisterAll"/> finds it in this assembly.
/// </summary>
public sealed class NormFaceHead : ILossHead
{
    public string Name => "normface";
    public string Description => "NormFace: s·cos θ_j, features and weights normalised";
    public IReadOnlyList<LossParameter> Parameters { get; } = [new("scale", JsonValue.Create(16.0), "scale s (> 0)")];

    public void Validate(LossConfig config)
    {
        if (!(config.Float("scale") > 0) || !float.IsFinite(config.Float("scale")))
            throw new ArgumentException($"loss.scale must be a finite number > 0, got {config.Float("scale")}.");
    }

    public LossOutputs Append(LossInputs inputs, LossConfig config)
    {
        var g = inputs.Graph;
        string unit = g.Node("Div", [inputs.Feature, Classifier.RowNorm(g, inputs.Feature)]);
        string directions = Classifier.NormalisedRows(g, Classifier.Weight(g, inputs.Store, inputs.Classes, inputs.Width));
        string logits = g.Node("Mul", [Classifier.Project(g, unit, directions), g.Const(config.Float("scale"))]);
        return MarginLogits.Outputs(inputs, logits, TargetLogits.Index(g, inputs.Label, inputs.Classes));
    }

    public string Describe(LossConfig config) => $"NormFace s={LossConfig.Number(config.Float("scale"))}";
}
