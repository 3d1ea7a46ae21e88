using System.Text.Json.Nodes;

namespace SphereFace.Graphs.Losses.Heads;

/// <summary>
/// A-Softmax (SphereFace §3): ‖x‖cos θ_j for the other classes, (λ‖x‖cos θ_y + ‖x‖ψ(θ_y)) / (1 + λ) for the target,
/// ψ(θ) = (−1)^k cos(mθ) − 2k; λ anneals towards its floor (the run's λ schedule).
/// </summary>
public sealed class ASoftmaxHead : ILossHead
{
    /// <inheritdoc/>
    public string Name => "asoftmax";
    /// <inheritdoc/>
    public string Description => "A-Softmax: angular margin m, target ‖x‖ψ(θ_y) mixed with λ";
    /// <inheritdoc/>
    public IReadOnlyList<LossParameter> Parameters { get; } = Shared;
    /// <inheritdoc/>
    public bool UsesLambda => true;

    /// <summary>The parameters of the A-Softmax family (IR-Softmax(A) adds its own).</summary>
    internal static readonly LossParameter[] Shared =
    [
        new("m", JsonValue.Create(4), "angular margin m, an integer in 1..8"),
        new("use_plugin", JsonValue.Create(true), "ψ(θ) from the native margin plugin (false: its pure-ONNX twin, equal bit for bit)"),
    ];

    /// <inheritdoc/>
    public void Validate(LossConfig config)
    {
        MarginFunction.CheckMargin(config.Int("m"));
        _ = config.Bool("use_plugin");
    }

    /// <inheritdoc/>
    public bool NeedsPlugin(LossConfig config) => config.Bool("use_plugin");

    /// <inheritdoc/>
    public LossOutputs Append(LossInputs inputs, LossConfig config)
    {
        var g = inputs.Graph;
        string index = TargetLogits.Index(g, inputs.Label, inputs.Classes);
        string directions = Classifier.NormalisedRows(g, Classifier.Weight(g, inputs.Store, inputs.Classes, inputs.Width));
        return MarginLogits.Outputs(inputs, MarginLogits.ASoftmax(inputs, index, config.Int("m"), config.Bool("use_plugin"), directions), index);
    }

    /// <inheritdoc/>
    public string Describe(LossConfig config) => FormattableString.Invariant($"ASoftmax m={config.Int("m")}");
}
