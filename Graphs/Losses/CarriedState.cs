namespace SphereFace.Graphs.Losses;

/// <summary>
/// A non-trained tensor a loss head carries between steps (docs/train-step.md): graph input
/// <paramref name="Input"/> (<c>state/&lt;name&gt;</c>, float32 of <paramref name="Shape"/>, starting at
/// <paramref name="Initial"/>) and the value <paramref name="Next"/> the driver must feed back on the next step
/// (a training graph outputs it as <c>next/state/&lt;name&gt;</c>).
/// </summary>
public sealed record CarriedState(string Input, long[] Shape, float[] Initial, string Next)
{
    /// <summary>Name of the output that carries the next value.</summary>
    public string NextOutputName => "next/" + Input;
}
