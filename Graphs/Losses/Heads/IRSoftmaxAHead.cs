namespace SphereFace.Graphs.Losses.Heads;

/// <summary>IR-Softmax(A) (Zhu et al.): A-Softmax whose class weights are the unit class centres of the normalised features (<see cref="IRSoftmax"/>).</summary>
public sealed class IRSoftmaxAHead : ILossHead
{
    /// <inheritdoc/>
    public string Name => "irsoftmax-a";
    /// <inheritdoc/>
    public string Description => "IR-Softmax(A): A-Softmax with class centres as weights";
    /// <inheritdoc/>
    public IReadOnlyList<LossParameter> Parameters { get; } = [.. ASoftmaxHead.Shared, .. IRSoftmax.Shared];
    /// <inheritdoc/>
    public bool UsesLambda => true;

    /// <inheritdoc/>
    public void Validate(LossConfig config)
    {
        MarginFunction.CheckMargin(config.Int("m"));
        IRSoftmax.Validate(config);
    }

    /// <inheritdoc/>
    public bool NeedsPlugin(LossConfig config) => config.Bool("use_plugin");

    /// <inheritdoc/>
    public LossOutputs Append(LossInputs inputs, LossConfig config) => IRSoftmax.Append(inputs, config, angular: true);

    /// <inheritdoc/>
    public string Describe(LossConfig config) => FormattableString.Invariant($"IRSoftmaxA m={config.Int("m")}");
}
