namespace SphereFace.Graphs.TrainStep;

/// <summary>What a carried tensor of the training step holds.</summary>
public enum CarriedKind
{
    /// <summary>A trainable parameter.</summary>
    Parameter,
    /// <summary>The SGD momentum buffer of a parameter.</summary>
    Momentum,
    /// <summary>Non-trained state (e.g. class centres).</summary>
    State,
}

/// <summary>A tensor fed as <see cref="Input"/> at step t and returned as <see cref="Output"/> for step t + 1.</summary>
public sealed record CarriedTensor(string Input, string Output, long[] Shape, CarriedKind Kind);
