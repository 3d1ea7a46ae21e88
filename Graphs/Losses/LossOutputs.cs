namespace SphereFace.Graphs.Losses;

/// <summary>
/// Value names produced by a loss head: <paramref name="Loss"/> (float scalar, mean cross-entropy of the batch),
/// <paramref name="Logits"/> (float [B, classes], the logits the loss is computed from, margins included) and
/// <paramref name="Accuracy"/> (float scalar, top-1 accuracy of those logits).
/// </summary>
public sealed record LossOutputs(string Loss, string Logits, string Accuracy);
