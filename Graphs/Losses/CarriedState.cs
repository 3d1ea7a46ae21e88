using SphereFace.Graphs.TrainStep;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// A non-trained tensor a loss head carries between steps: the carried tensor <paramref name="Tensor"/> (kind
/// <see cref="CarriedKind.State"/>, a graph input the head declared), its value <paramref name="Initial"/> before the
/// first step, and the graph value <paramref name="Next"/> that the training step outputs as its next value.
/// </summary>
public sealed record CarriedState(CarriedTensor Tensor, float[] Initial, string Next);
