using System.Text.Json;
using System.Text.Json.Serialization;
using SphereFace.Models.IO;

namespace SphereFace.Inference.Evaluation;

/// <summary>One reported figure: a value (null when it cannot be measured on this data), an optional spread, a note.</summary>
public sealed record EvaluationMetric(string Name, double? Value, double? Std = null, string? Note = null);

/// <summary>The metrics of one protocol run, shown as a table and saved as JSON next to the model.</summary>
/// <param name="Protocol">lfw, blufr, ident or fisher.</param>
/// <param name="Model">Model file (or embeddings file) the features came from.</param>
/// <param name="Metrics">The figures, in display order.</param>
public sealed record EvaluationReport(string Protocol, string Model, IReadOnlyList<EvaluationMetric> Metrics)
{
    /// <summary>
    /// The JSON layout's version (docs/inference.md): 2 added <see cref="Thresholds"/>; 3 renamed their
    /// <c>best_accuracy</c> to <c>threshold_at_best_accuracy</c> and added <c>far_not_resolved</c>.
    /// </summary>
    public const int CurrentSchemaVersion = 3;

    /// <summary>Version of the JSON layout this report was written with.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>
    /// lfw: cosine thresholds calibrated on the raw (not mean-centred) similarities of all pairs, for each
    /// representation the run can serve; what <c>eval --stamp</c> writes into the model.
    /// </summary>
    public IReadOnlyList<Verification.VerificationThresholds>? Thresholds { get; init; }

    /// <summary>UTC time of the evaluation.</summary>
    public DateTime CreatedUtc { get; init; } = DateTime.UtcNow;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Writes the JSON atomically to <paramref name="path"/>.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Reads a report written by <see cref="Save"/>.</summary>
    public static EvaluationReport Load(string path) =>
        JsonSerializer.Deserialize<EvaluationReport>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty report.");
}
