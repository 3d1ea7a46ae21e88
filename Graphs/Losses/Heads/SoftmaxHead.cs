using System.Text.Json.Nodes;

namespace SphereFace.Graphs.Losses.Heads;

/// <summary>Softmax (the paper's baseline): logits x·w_j + b_j; <c>bias = false</c> drops b (ablation "remove biases", App. E).</summary>
public sealed class SoftmaxHead : ILossHead
{
    /// <inheritdoc/>
    public string Name => "softmax";
    /// <inheritdoc/>
    public string Description => "softmax: FC logits x·w_j + b_j";
    /// <inheritdoc/>
    public IReadOnlyList<LossParameter> Parameters { get; } = [new("bias", JsonValue.Create(true), "classifier bias b_j (false: the ablation without biases)")];

    /// <inheritdoc/>
    public void Validate(LossConfig config) => _ = config.Bool("bias");

    /// <inheritdoc/>
    public LossOutputs Append(LossInputs inputs, LossConfig config)
    {
        var (g, store) = (inputs.Graph, inputs.Store);
        string index = TargetLogits.Index(g, inputs.Label, inputs.Classes);
        string weight = Classifier.Weight(g, store, inputs.Classes, inputs.Width);
        string logits = Classifier.Project(g, inputs.Feature, weight, config.Bool("bias") ? Classifier.Bias(g, store, inputs.Classes) : null);
        return MarginLogits.Outputs(inputs, logits, index);
    }

    /// <inheritdoc/>
    public string Describe(LossConfig config) => config.Bool("bias") ? "Softmax" : "Softmax nobias";
}
