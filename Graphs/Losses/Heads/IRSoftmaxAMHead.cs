namespace SphereFace.Graphs.Losses.Heads;

/// <summary>IR-Softmax(AM) (Zhu et al.): AM-Softmax whose class weights are the unit class centres of the normalised features (<see cref="IRSoftmax"/>).</summary>
public sealed class IRSoftmaxAMHead : ILossHead
{
    /// <inheritdoc/>
    public string Name => "irsoftmax-am";
    /// <inheritdoc/>
    public string Description => "IR-Softmax(AM): AM-Softmax with class centres as weights";
    /// <inheritdoc/>
    public IReadOnlyList<LossParameter> Parameters { get; } = [.. AMSoftmaxHead.Shared, .. IRSoftmax.Shared];

    /// <inheritdoc/>
    public void Validate(LossConfig config)
    {
        MarginLogits.CheckAm(config.Float("margin"), config.Float("scale"));
        IRSoftmax.Validate(config);
    }

    /// <inheritdoc/>
    public LossOutputs Append(LossInputs inputs, LossConfig config) => IRSoftmax.Append(inputs, config, angular: false);

    /// <inheritdoc/>
    public string Describe(LossConfig config) =>
        $"IRSoftmaxAM m={LossConfig.Number(config.Float("margin"))} s={LossConfig.Number(config.Float("scale"))}";
}
