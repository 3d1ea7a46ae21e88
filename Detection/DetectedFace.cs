using OpenCvSharp;

namespace SphereFace.Detection;

/// <summary>
/// A face found in a photo, in the photo's pixels (0-based pixel centres, as the alignment takes them).
/// </summary>
/// <param name="Box">The detector's box: left, top, width, height.</param>
/// <param name="Score">The detector's confidence in [0, 1].</param>
/// <param name="Landmarks">
/// The five SphereFace points in the project's order: the eye on the image's left for an upright frontal face (the
/// subject's right eye), the other eye, the nose tip, the mouth corner on the image's left, the other mouth corner —
/// eye centres as the mean of the mesh's eye contour, nose tip and mouth corners as mesh points 1, 61 and 291.
/// </param>
/// <param name="LandmarkScore">The landmark model's face-presence probability for its crop, in [0, 1].</param>
/// <param name="Mesh">The 468 mesh points (x, y in pixels, z in pixels relative to the face's centre plane), when asked for.</param>
public sealed record DetectedFace(Rect2f Box, float Score, Point2f[] Landmarks, float LandmarkScore, Point3f[]? Mesh = null)
{
    /// <summary>The box's area in square pixels (how <see cref="FaceDetector.DetectMostProminent(Mat)"/> ranks faces).</summary>
    public float Area => Box.Width * Box.Height;

    /// <summary>Distance between the two eye centres in pixels.</summary>
    public float InterOcularDistance => (float)Point2f.Distance(Landmarks[0], Landmarks[1]);
}

/// <summary>How long one <see cref="FaceDetector.Detect(Mat, out DetectionProfile)"/> spent in each stage.</summary>
/// <param name="Detector">Letterbox, the detector model, anchor decoding and merging.</param>
/// <param name="Landmarks">The faces' rotated crops, the face mesh (all faces in one run) and the five points.</param>
/// <param name="Faces">Faces the detector found.</param>
public sealed record DetectionProfile(TimeSpan Detector, TimeSpan Landmarks, int Faces);
