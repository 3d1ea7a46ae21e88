using System.Globalization;

namespace SphereFace.Training.Runs;

/// <summary>
/// One logged row: the iteration reached (completed steps), the mean loss and accuracy over the steps since the
/// previous row, the lr and λ of the last step, and the throughput over those steps.
/// </summary>
public sealed record MetricsRow(long Iteration, double Loss, double Accuracy, float Lr, float Lambda, double ImagesPerSecond)
{
    /// <summary>The CSV header (these exact column names are read by the plotting code).</summary>
    public const string CsvHeader = "iteration,loss,accuracy,lr,lambda,images_per_s";

    /// <summary>The row as CSV (invariant culture, round-trippable floats).</summary>
    public string ToCsv() => string.Join(",",
        Iteration.ToString(CultureInfo.InvariantCulture),
        Loss.ToString("R", CultureInfo.InvariantCulture),
        Accuracy.ToString("R", CultureInfo.InvariantCulture),
        Lr.ToString("R", CultureInfo.InvariantCulture),
        Lambda.ToString("R", CultureInfo.InvariantCulture),
        ImagesPerSecond.ToString("F2", CultureInfo.InvariantCulture));

    /// <summary>A human-readable log line.</summary>
    public string ToLogLine(long totalIterations) => string.Create(CultureInfo.InvariantCulture,
        $"iter {Iteration}/{totalIterations}  loss {Loss:F4}  acc {Accuracy:P1}  lr {Lr:G4}  lambda {Lambda:G4}  {ImagesPerSecond:F1} img/s");
}
