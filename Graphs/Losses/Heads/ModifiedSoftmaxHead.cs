namespace SphereFace.Graphs.Losses.Heads;

/// <summary>Modified softmax: logits ‖x‖cos θ_j, the rows of W normalised in the graph every step, no bias.</summary>
public sealed class ModifiedSoftmaxHead : ILossHead
{
    /// <inheritdoc/>
    public string Name => "modified";
    /// <inheritdoc/>
    public string Description => "modified softmax: ‖x‖cos θ_j (normalised weights, no bias)";
    /// <inheritdoc/>
    public IReadOnlyList<LossParameter> Parameters { get; } = [];

    /// <inheritdoc/>
    public void Validate(LossConfig config) { }

    /// <inheritdoc/>
    public LossOutputs Append(LossInputs inputs, LossConfig config)
    {
        var g = inputs.Graph;
        string index = TargetLogits.Index(g, inputs.Label, inputs.Classes);
        string weight = Classifier.NormalisedRows(g, Classifier.Weight(g, inputs.Store, inputs.Classes, inputs.Width));
        return MarginLogits.Outputs(inputs, Classifier.Project(g, inputs.Feature, weight), index);
    }

    /// <inheritdoc/>
    public string Describe(LossConfig config) => "Modified";
}
