using System.Reflection;

namespace SphereFace.Detection;

/// <summary>
/// The two ONNX models the detector runs, built from MediaPipe's published TFLite files by the project's importer when
/// this library is built (Detection/ModelBuild; docs/detection.md) and carried inside the assembly, so the package alone
/// gives a working detector and nothing is fetched at run time. Like every model of the project they are plain ONNX
/// (opset 17) to inspect or run elsewhere.
/// </summary>
public static class FaceModels
{
    /// <summary>
    /// BlazeFace full range: input <c>image</c> [N, 3, 192, 192] RGB in [−1, 1]; outputs <c>regressors</c> [N, 2304, 16]
    /// (box centre offset, size and six keypoint offsets per anchor, input pixels, x before y) and <c>scores</c> [N, 2304, 1] (logits).
    /// </summary>
    public const string Detector = "face_detection_full_range.onnx";

    /// <summary>
    /// Face mesh: input <c>image</c> [N, 3, 192, 192] RGB in [0, 1]; outputs <c>landmarks</c> [N, 1, 1, 1404] (468 × x, y, z
    /// in crop pixels) and <c>presence</c> [N, 1, 1, 1] (a logit).
    /// </summary>
    public const string Landmarks = "face_landmark.onnx";

    /// <summary>The bytes of <see cref="Detector"/> or <see cref="Landmarks"/>.</summary>
    /// <exception cref="InvalidOperationException">This build of the library carries no such model.</exception>
    public static byte[] Read(string name)
    {
        var assembly = typeof(FaceModels).Assembly;
        using var stream = assembly.GetManifestResourceStream($"SphereFace.Detection.Models.{name}")
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} was built without the face model '{name}' (its build converts MediaPipe's models from npm; see docs/detection.md).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
