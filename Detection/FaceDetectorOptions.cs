namespace SphereFace.Detection;

/// <summary>How a <see cref="FaceDetector"/> finds faces and their points.</summary>
public sealed record FaceDetectorOptions
{
    /// <summary>Lowest detector score a face is kept with (MediaPipe's default confidence, 0.5).</summary>
    public float MinScore { get; init; } = 0.5f;

    /// <summary>Boxes overlapping a better one by more than this intersection over union merge into it (MediaPipe's 0.3).</summary>
    public float MergeOverlap { get; init; } = 0.3f;

    /// <summary>Most faces returned per photo (the highest scores).</summary>
    public int MaxFaces { get; init; } = 64;

    /// <summary>
    /// Lowest face-presence probability of the landmark model a face is kept with; 0 (default) keeps every detection and
    /// reports the probability (<see cref="DetectedFace.LandmarkScore"/>): for a face in profile it swings between 0.02
    /// and 0.6 with a few pixels of box, so a threshold would drop real faces.
    /// </summary>
    public float MinLandmarkScore { get; init; }

    /// <summary>Also return the 468 mesh points of each face (<see cref="DetectedFace.Mesh"/>).</summary>
    public bool IncludeMesh { get; init; }

    /// <summary>
    /// Threads ONNX Runtime uses inside one operator; 0 lets it choose. 1 by default: the two graphs are small, and one
    /// thread ran them fastest (AMD EPYC Zen 5, 2 cores: detector 2.2 ms, face mesh on 4 faces 6.9 ms, against 4.6 and
    /// 8.1 ms with 2 threads; docs/detection.md).
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Largest photo, in pixels, decoded and searched; larger ones are refused before decoding (a guard against images that unpack to gigabytes).</summary>
    public long MaxPixels { get; init; } = 100_000_000;
}
