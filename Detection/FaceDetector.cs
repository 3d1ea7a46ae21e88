using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Detection;

/// <summary>
/// Finds the faces of a photo and their five SphereFace points with MediaPipe's published face models, converted to
/// ONNX by the project's TFLite importer (docs/detection.md): the full-range BlazeFace detector on the photo
/// letterboxed to 192×192 (anchors decoded, sigmoid scores, MediaPipe's weighted merging of overlapping boxes), then,
/// for every face at once, the face mesh on a 192×192 crop of 1.5 × the box turned upright by the eye line, whose eye
/// contours, nose tip and mouth corners give the five points in photo pixels.
/// <para>
/// Thread-safe: <see cref="Detect(Mat)"/> may run on many threads at once. Any image size is taken (a very large photo
/// is refused before decoding: <see cref="FaceDetectorOptions.MaxPixels"/>); 8-bit BGR, BGRA or grayscale; files keep
/// their EXIF orientation (OpenCV applies it when decoding).
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var detector = new FaceDetector();
/// foreach (var face in detector.Detect("group.jpg"))
///     Console.WriteLine($"{face.Box} score {face.Score:F2}: eyes {face.Landmarks[0]}, {face.Landmarks[1]}");
/// </code>
/// </example>
public sealed class FaceDetector : IDisposable
{
    private readonly InferenceSession _detector;
    private readonly InferenceSession _landmarks;
    private readonly FaceDetectorOptions _options;
    private readonly RunOptions _run = new();

    /// <summary>Loads the two models carried by this library.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">This build of the library carries no models.</exception>
    public FaceDetector(FaceDetectorOptions? options = null)
    {
        _options = options ?? new FaceDetectorOptions();
        if (!(_options.MinScore is >= 0 and <= 1)) throw new ArgumentException($"MinScore must be in [0, 1], got {_options.MinScore}.");
        if (!(_options.MergeOverlap is > 0 and <= 1)) throw new ArgumentException($"MergeOverlap must be in (0, 1], got {_options.MergeOverlap}.");
        if (_options.MaxFaces < 1) throw new ArgumentException($"MaxFaces must be ≥ 1, got {_options.MaxFaces}.");
        if (_options.IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads must be ≥ 0, got {_options.IntraOpThreads}.");
        if (_options.MaxPixels < 1) throw new ArgumentException($"MaxPixels must be ≥ 1, got {_options.MaxPixels}.");
        using var so = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _detector = new InferenceSession(FaceModels.Read(FaceModels.Detector), so);
        try
        {
            _landmarks = new InferenceSession(FaceModels.Read(FaceModels.Landmarks), so);
        }
        catch
        {
            _detector.Dispose();
            throw;
        }
    }

    /// <summary>The options this detector runs with.</summary>
    public FaceDetectorOptions Options => _options;

    /// <summary>The faces in an image file, best score first (empty when there is none).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, or larger than <see cref="FaceDetectorOptions.MaxPixels"/>; the message names it.</exception>
    public IReadOnlyList<DetectedFace> Detect(string path)
    {
        using var image = PhotoReader.Read(path, _options.MaxPixels);
        return Detect(image, path);
    }

    /// <summary>The faces in an 8-bit BGR, BGRA or grayscale image, best score first (empty when there is none).</summary>
    /// <exception cref="ArgumentException">The image is empty or of another type.</exception>
    public IReadOnlyList<DetectedFace> Detect(Mat image) => Detect(image, "image");

    /// <summary>The face with the largest box, or null when there is none.</summary>
    public DetectedFace? DetectMostProminent(Mat image) => Detect(image).MaxBy(f => f.Area);

    private IReadOnlyList<DetectedFace> Detect(Mat image, string source)
    {
        ArgumentNullException.ThrowIfNull(image);
        var bgr = PhotoReader.AsBgr(image, source);
        try
        {
            var raw = FindFaces(bgr, out float scale, out float padX, out float padY);
            if (raw.Count == 0) return [];
            // Detector coordinates (normalised, letterboxed) → the photo's continuous coordinates.
            Point2f Photo(float x, float y) => new((x * Anchors.InputSize - padX) / scale, (y * Anchors.InputSize - padY) / scale);
            var boxes = raw.Select(d =>
            {
                var topLeft = Photo(d.Left, d.Top);
                var bottomRight = Photo(d.Right, d.Bottom);
                return new Rect2f(topLeft.X, topLeft.Y, bottomRight.X - topLeft.X, bottomRight.Y - topLeft.Y);
            }).ToArray();
            var regions = raw.Select((d, i) => FaceRegion.Of(boxes[i], Photo(d.Keypoints[0], d.Keypoints[1]), Photo(d.Keypoints[2], d.Keypoints[3]))).ToArray();
            var (meshes, presence) = Landmarks(bgr, regions);
            var faces = new List<DetectedFace>();
            for (int i = 0; i < raw.Count; i++)
            {
                if (presence[i] < _options.MinLandmarkScore) continue;
                // Continuous coordinates → 0-based pixel centres, the convention of landmark lists and the alignment.
                var mesh = meshes[i].Select(p => new Point3f(p.X - 0.5f, p.Y - 0.5f, p.Z)).ToArray();
                var points = MeshPoints.FivePoints(mesh.Select(p => new Point2f(p.X, p.Y)).ToArray());
                faces.Add(new DetectedFace(boxes[i], raw[i].Score, points, presence[i], _options.IncludeMesh ? mesh : null));
            }
            return faces;
        }
        finally
        {
            if (!ReferenceEquals(bgr, image)) bgr.Dispose();
        }
    }

    /// <summary>The detector on the letterboxed photo: merged detections in its normalised coordinates.</summary>
    private List<RawDetection> FindFaces(Mat bgr, out float scale, out float padX, out float padY)
    {
        const int size = Anchors.InputSize;
        scale = (float)size / Math.Max(bgr.Width, bgr.Height);
        int w = Math.Clamp((int)MathF.Round(bgr.Width * scale), 1, size), h = Math.Clamp((int)MathF.Round(bgr.Height * scale), 1, size);
        var input = new float[3 * size * size];
        Array.Fill(input, -1f); // letterbox bands: black, which is −1 in the detector's [−1, 1] range
        using (var resized = new Mat())
        {
            Cv2.Resize(bgr, resized, new Size(w, h), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
            int x0 = (size - w) / 2, y0 = (size - h) / 2;
            padX = x0;
            padY = y0;
            CopyChw(resized, input, size, x0, y0, 1f / 127.5f, -1f);
        }
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, size, size]);
        using var outputs = _detector.Run(_run, ["image"], [tensor], ["regressors", "scores"]);
        var found = RawDetection.Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[1].GetTensorDataAsSpan<float>(), _options.MinScore);
        return RawDetection.MergeOverlapping(found, _options.MergeOverlap, _options.MaxFaces);
    }

    /// <summary>The face mesh of every region in one run: 468 points per face in photo coordinates, and the presence probability.</summary>
    private (Point3f[][] Meshes, float[] Presence) Landmarks(Mat bgr, FaceRegion[] regions)
    {
        const int size = FaceRegion.CropSize;
        var input = new float[regions.Length * 3 * size * size];
        using (var crop = new Mat())
            for (int i = 0; i < regions.Length; i++)
            {
                using var m = regions[i].CropToPhoto();
                Cv2.WarpAffine(bgr, crop, m, new Size(size, size), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Replicate);
                CopyChw(crop, input.AsSpan(i * 3 * size * size), size, 0, 0, 1f / 255f, 0f);
            }
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [regions.Length, 3, size, size]);
        using var outputs = _landmarks.Run(_run, ["image"], [tensor], ["landmarks", "presence"]);
        var points = outputs[0].GetTensorDataAsSpan<float>();
        var logits = outputs[1].GetTensorDataAsSpan<float>();
        var meshes = new Point3f[regions.Length][];
        var presence = new float[regions.Length];
        for (int i = 0; i < regions.Length; i++)
        {
            presence[i] = 1f / (1f + MathF.Exp(-logits[i]));
            var mesh = new Point3f[MeshPoints.Count];
            float zScale = regions[i].Side / size;
            for (int k = 0; k < MeshPoints.Count; k++)
            {
                int at = (i * MeshPoints.Count + k) * 3;
                var p = regions[i].ToPhoto(points[at], points[at + 1]);
                mesh[k] = new Point3f(p.X, p.Y, points[at + 2] * zScale);
            }
            meshes[i] = mesh;
        }
        return (meshes, presence);
    }

    /// <summary>Writes a BGR image as RGB planes (value·scale + offset) into a size×size CHW tensor at (x0, y0).</summary>
    private static unsafe void CopyChw(Mat bgr, Span<float> chw, int size, int x0, int y0, float scale, float offset)
    {
        int plane = size * size, rows = bgr.Rows, cols = bgr.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* row = (byte*)bgr.Ptr(y);
            int at = (y0 + y) * size + x0;
            for (int x = 0; x < cols; x++, at++)
            {
                chw[at] = row[3 * x + 2] * scale + offset;
                chw[plane + at] = row[3 * x + 1] * scale + offset;
                chw[2 * plane + at] = row[3 * x] * scale + offset;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _detector.Dispose();
        _landmarks.Dispose();
        _run.Dispose();
    }
}
