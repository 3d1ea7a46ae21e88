namespace SphereFace.Graphs.Losses;

/// <summary>
/// Value names produced by a loss head: <paramref name="Loss"/> (float scalar, mean cross-entropy of the batch plus
/// any auxiliary term), <paramref name="Logits"/> (float [B, classes], the logits the loss is computed from,
/// margins included) and <paramref name="Accuracy"/> (float scalar, top-1 accuracy of those logits).
/// </summary>
public sealed record LossOutputs(string Loss, string Logits, string Accuracy)
{
    /// <summary>IR-Softmax: the unit class directions [classes, D] used as classifier weights; null for other heads.</summary>
    public string? Centres { get; init; }

    /// <summary>
    /// Parameters whose rows the optimiser step must renormalise to unit length after each update
    /// (IR-Softmax centres with <see cref="CentreUpdate.Loss"/>); renormalised by <see cref="Classifier.NormalisedRows"/>.
    /// </summary>
    public IReadOnlyList<string> UnitRowParameters { get; init; } = [];

    /// <summary>State tensors the head carries between steps (IR-Softmax memory bank).</summary>
    public IReadOnlyList<CarriedState> State { get; init; } = [];
}
