namespace SphereFace.Training.Runs;

/// <summary>
/// The steps since the last metrics row: how many, and the sums of their losses and accuracies. Checkpoints carry it,
/// so a resumed run's next row averages the same steps, in the same order, as the uninterrupted run's.
/// </summary>
public sealed record MetricsWindow(int Steps, double LossSum, double AccuracySum)
{
    /// <summary>No steps yet.</summary>
    public static readonly MetricsWindow Empty = new(0, 0, 0);

    /// <summary>This window with one more step.</summary>
    public MetricsWindow Add(double loss, double accuracy) => new(Steps + 1, LossSum + loss, AccuracySum + accuracy);
}
