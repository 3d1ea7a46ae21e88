using System.Text.Json;
using System.Text.Json.Serialization;

namespace SphereFace.Graphs.Specs;

/// <summary>
/// The one JSON form of every settings type (run specs, the solver section of a graph folder's manifest): snake_case
/// field names, enums as names, indented, paths and descriptions written as typed rather than as \u escapes.
/// </summary>
public static class SpecJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>A finite number ≥ 0, else the error naming <paramref name="field"/>.</summary>
    /// <exception cref="Models.Errors.RunSpecException">Negative, NaN or infinite.</exception>
    public static void NonNegative(string field, double value)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new Models.Errors.RunSpecException(field, $"{field} must be a finite number ≥ 0, got {value}.");
    }

    /// <summary>A finite number &gt; 0, else the error naming <paramref name="field"/>.</summary>
    /// <exception cref="Models.Errors.RunSpecException">Not positive, NaN or infinite.</exception>
    public static void Positive(string field, double value)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new Models.Errors.RunSpecException(field, $"{field} must be a positive number, got {value}.");
    }
}
