using System.Globalization;

namespace SphereFace.Training.Runs;

/// <summary>
/// One logged row: the iteration reached (completed steps), the mean loss and accuracy over the steps since the
/// previous row, the lr and λ of the last step, and the throughput over those steps. Accuracy is a fraction in [0, 1]
/// everywhere (CSV and log line); <see cref="Lambda"/> is null for heads without λ (CSV "nan", left out of the log line).
/// </summary>
public sealed record MetricsRow(long Iteration, double Loss, double Accuracy, float Lr, float? Lambda, double ImagesPerSecond)
{
    /// <summary>The CSV header (these exact column names are read by the plotting code).</summary>
    public const string CsvHeader = "iteration,loss,accuracy,lr,lambda,images_per_s";

    /// <summary>The row as CSV (invariant culture, round-trippable floats).</summary>
    public string ToCsv() => string.Join(",",
        Iteration.ToString(CultureInfo.InvariantCulture),
        Loss.ToString("R", CultureInfo.InvariantCulture),
        Accuracy.ToString("R", CultureInfo.InvariantCulture),
        Lr.ToString("R", CultureInfo.InvariantCulture),
        Lambda is { } l ? l.ToString("R", CultureInfo.InvariantCulture) : "nan",
        ImagesPerSecond.ToString("F2", CultureInfo.InvariantCulture));

    /// <summary>A human-readable log line.</summary>
    public string ToLogLine(long totalIterations) => string.Create(CultureInfo.InvariantCulture,
        $"iter {Iteration}/{totalIterations}  loss {Loss:F4}  acc {Accuracy:F4}  lr {Lr:G4}{(Lambda is { } l ? $"  lambda {l:G4}" : "")}  {ImagesPerSecond:F1} img/s");
}
