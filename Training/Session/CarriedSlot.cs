namespace SphereFace.Training.Session;

/// <summary>
/// One tensor carried from step to step: graph input <paramref name="Input"/> (value before the step) and
/// output <paramref name="Output"/> = <c>next/</c>+Input (value after it), float32 of <paramref name="Shape"/>.
/// </summary>
public sealed record CarriedSlot(string Input, string Output, long[] Shape)
{
    /// <summary>Prefix of the output holding a carried tensor's value after the step.</summary>
    public const string NextPrefix = SphereFace.Graphs.TrainStep.TrainStepGraph.NextPrefix;
    /// <summary>Prefix of SGD momentum buffers.</summary>
    public const string MomentumPrefix = "momentum/";
    /// <summary>Prefix of non-trained state.</summary>
    public const string StatePrefix = "state/";

    /// <summary>Number of float values.</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>True for a trainable parameter (neither a momentum buffer nor state).</summary>
    public bool IsParameter => !Input.StartsWith(MomentumPrefix, StringComparison.Ordinal) && !Input.StartsWith(StatePrefix, StringComparison.Ordinal);
}
