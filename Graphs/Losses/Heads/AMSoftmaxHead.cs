using System.Text.Json.Nodes;

namespace SphereFace.Graphs.Losses.Heads;

/// <summary>AM-Softmax (additive margin): s·cos θ_j for the other classes, s·(cos θ_y − m) for the target; features and weights normalised.</summary>
public sealed class AMSoftmaxHead : ILossHead
{
    /// <inheritdoc/>
    public string Name => "amsoftmax";
    /// <inheritdoc/>
    public string Description => "AM-Softmax: s·(cos θ_y − m) for the target";
    /// <inheritdoc/>
    public IReadOnlyList<LossParameter> Parameters { get; } = Shared;

    /// <summary>The parameters of the AM-Softmax family (IR-Softmax(AM) adds its own).</summary>
    internal static readonly LossParameter[] Shared =
    [
        new("margin", JsonValue.Create(0.35), "additive margin m (≥ 0)"),
        new("scale", JsonValue.Create(30.0), "scale s (> 0)"),
    ];

    /// <inheritdoc/>
    public void Validate(LossConfig config) => MarginLogits.CheckAm(config.Float("margin"), config.Float("scale"));

    /// <inheritdoc/>
    public LossOutputs Append(LossInputs inputs, LossConfig config)
    {
        var g = inputs.Graph;
        string index = TargetLogits.Index(g, inputs.Label, inputs.Classes);
        string directions = Classifier.NormalisedRows(g, Classifier.Weight(g, inputs.Store, inputs.Classes, inputs.Width));
        return MarginLogits.Outputs(inputs, MarginLogits.AMSoftmax(inputs, config.Float("margin"), config.Float("scale"), directions), index);
    }

    /// <inheritdoc/>
    public string Describe(LossConfig config) =>
        $"AMSoftmax m={LossConfig.Number(config.Float("margin"))} s={LossConfig.Number(config.Float("scale"))}";
}
