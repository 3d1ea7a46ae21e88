using System.Text.Json;
using System.Text.Json.Serialization;
using SphereFace.Models.IO;

namespace SphereFace.Detection.Photos;

/// <summary>One photo in <c>faces.json</c>: its path relative to the data, its size, and the faces found (empty: none).</summary>
public sealed record PhotoFaces(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("faces")] IReadOnlyList<FaceRecord> Faces,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>
/// One face in <c>faces.json</c>: box [x, y, w, h], the detector's score, the five points [[x, y] × 5] in photo pixels,
/// and the landmark model's face-presence probability.
/// </summary>
public sealed record FaceRecord(
    [property: JsonPropertyName("box")] float[] Box,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("landmarks")] float[][] Landmarks,
    [property: JsonPropertyName("landmark_score")] float LandmarkScore)
{
    /// <summary>The record of <paramref name="face"/>: box as x, y, width, height; points as [x, y] pairs.</summary>
    public static FaceRecord Of(DetectedFace face) => new([face.Box.X, face.Box.Y, face.Box.Width, face.Box.Height], face.Score,
        face.Landmarks.Select(p => new[] { p.X, p.Y }).ToArray(), face.LandmarkScore);
}

/// <summary>
/// <c>faces.json</c>, what <c>detect</c> writes and the detecting verbs cache beside their data:
/// <c>{"images": [{"path", "width", "height", "faces": [{"box", "score", "landmarks"}]}]}</c>.
/// </summary>
public sealed record FacesFile([property: JsonPropertyName("images")] IReadOnlyList<PhotoFaces> Images)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Writes the file atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Options));

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Not such a file; the message names it.</exception>
    public static FacesFile Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<FacesFile>(File.ReadAllText(path)) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a faces file written by detect ({e.Message}).", e);
        }
    }
}
