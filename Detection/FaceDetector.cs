using SphereFace.Models.Native;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Models.Onnx;

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
    /// <exception cref="SphereFace.Models.Errors.SphereFaceException">ONNX Runtime's or OpenCV's native library cannot be loaded
    /// (code <c>NativeLibraryMissing</c>; the message names the package to add or install).</exception>
    /// <exception cref="InvalidOperationException">This build of the library carries no models.</exception>
    public FaceDetector(FaceDetectorOptions? options = null)
    {
        _options = options ?? new FaceDetectorOptions();
        SphereFace.Models.Native.NativeDependency.OnnxRuntime.Ensure();
        OpenCvNative.Library.Ensure();
        if (!(_options.MinScore is >= 0 and <= 1)) throw new Models.Errors.InputException($"MinScore must be in [0, 1], got {_options.MinScore}.");
        if (!(_options.MergeOverlap is > 0 and <= 1)) throw new Models.Errors.InputException($"MergeOverlap must be in (0, 1], got {_options.MergeOverlap}.");
        if (_options.MaxFaces < 1) throw new Models.Errors.InputException($"MaxFaces must be ≥ 1, got {_options.MaxFaces}.");
        ThreadCount.Check(_options.IntraOpThreads, "IntraOpThreads");
        if (_options.MaxPixels < 1) throw new Models.Errors.InputException($"MaxPixels must be ≥ 1, got {_options.MaxPixels}.");
        using var so = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        // Two sessions, and usually an embedder's beside them: workers spinning after one run would take the cores the
        // next session's run needs (on 2 cores the landmark stage took 30 ms with spinning, docs/detection.md).
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _detector = new InferenceSession(FaceModels.Read(FaceModels.Detector), so);
        try
        {
            _landmarks = new InferenceSession(WithBlockedPRelu(FaceModels.Read(FaceModels.Landmarks)), so);
        }
        catch
        {
            _detector.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The face mesh with its PRelu units rewritten so ONNX Runtime keeps its blocked layout through them
    /// (<see cref="PReluAsBlockedOps"/>; equal up to float rounding): 4 faces in 7.6 instead of 15.4 ms (one thread, AMD
    /// EPYC Zen 5; docs/detection.md).
    /// </summary>
    private static byte[] WithBlockedPRelu(byte[] model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        PReluAsBlockedOps.Apply(proto);
        return Google.Protobuf.MessageExtensions.ToByteArray(proto);
    }

    /// <summary>The options this detector runs with.</summary>
    public FaceDetectorOptions Options => _options;

    /// <summary>The faces in an image file, best score first (empty when there is none).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SphereFace.Models.Errors.FaceInputException">The file is not a decodable image, or larger than <see cref="FaceDetectorOptions.MaxPixels"/>; the message names it.</exception>
    public IReadOnlyList<DetectedFace> Detect(string path)
    {
        using var image = PhotoReader.Read(path, _options.MaxPixels);
        return Detect(image, path, out _);
    }

    /// <summary>The faces in an 8-bit BGR, BGRA or grayscale image, best score first (empty when there is none).</summary>
    /// <exception cref="SphereFace.Models.Errors.FaceInputException">The image is empty or of another type.</exception>
    public IReadOnlyList<DetectedFace> Detect(Mat image) => Detect(image, "image", out _);

    /// <summary>As <see cref="Detect(Mat)"/>, and how long each stage took (for benchmarks).</summary>
    public IReadOnlyList<DetectedFace> Detect(Mat image, out DetectionProfile profile) => Detect(image, "image", out profile);

    /// <summary>The face with the largest box, or null when there is none.</summary>
    public DetectedFace? DetectMostProminent(Mat image) => Detect(image).MaxBy(f => f.Area);

    private List<DetectedFace> Detect(Mat image, string source, out DetectionProfile profile)
    {
        ArgumentNullException.ThrowIfNull(image);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        profile = new DetectionProfile(TimeSpan.Zero, TimeSpan.Zero, 0);
        var bgr = PhotoReader.AsBgr(image, source);
        try
        {
            var raw = FindFaces(bgr, out float scaleX, out float scaleY, out float padX, out float padY);
            var detector = clock.Elapsed;
            profile = new DetectionProfile(detector, TimeSpan.Zero, raw.Count);
            if (raw.Count == 0) return [];
            // Detector coordinates (normalised, letterboxed) → the photo's continuous coordinates.
            Point2f Photo(float x, float y) => new((x * Anchors.InputSize - padX) / scaleX, (y * Anchors.InputSize - padY) / scaleY);
            var boxes = raw.Select(d =>
            {
                var topLeft = Photo(d.Left, d.Top);
                var bottomRight = Photo(d.Right, d.Bottom);
                return new Rect2f(topLeft.X, topLeft.Y, bottomRight.X - topLeft.X, bottomRight.Y - topLeft.Y);
            }).ToArray();
            var regions = raw.Select((d, i) => FaceRegion.Of(boxes[i], Photo(d.Keypoints[0], d.Keypoints[1]), Photo(d.Keypoints[2], d.Keypoints[3]))).ToArray();
            var (meshes, presence) = Landmarks(bgr, regions);
            profile = new DetectionProfile(detector, clock.Elapsed - detector, raw.Count);
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
    private List<RawDetection> FindFaces(Mat bgr, out float scaleX, out float scaleY, out float padX, out float padY)
    {
        const int size = Anchors.InputSize;
        float scale = (float)size / Math.Max(bgr.Width, bgr.Height);
        int w = Math.Clamp((int)MathF.Round(bgr.Width * scale), 1, size), h = Math.Clamp((int)MathF.Round(bgr.Height * scale), 1, size);
        // The letterboxed photo's own scales (the rounding of w and h makes them differ slightly from `scale`).
        (scaleX, scaleY) = ((float)w / bgr.Width, (float)h / bgr.Height);
        float[] input;
        using (var resized = Downscale(bgr, w, h))
        using (var boxed = new Mat())
        {
            int x0 = (size - w) / 2, y0 = (size - h) / 2;
            padX = x0;
            padY = y0;
            // Letterbox bands black, which is −1 in the detector's [−1, 1] range.
            Cv2.CopyMakeBorder(resized, boxed, y0, size - h - y0, x0, size - w - x0, BorderTypes.Constant, Scalar.Black);
            input = Blob([boxed], 1 / 127.5, 127.5);
        }
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, size, size]);
        using var outputs = _detector.Run(_run, ["image"], [tensor], ["regressors", "scores"]);
        var found = RawDetection.Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[1].GetTensorDataAsSpan<float>(), _options.MinScore);
        return RawDetection.MergeOverlapping(found, _options.MergeOverlap, _options.MaxFaces);
    }

    /// <summary>
    /// <paramref name="bgr"/> at w×h without aliasing: halved by Gaussian pyramid steps while it is more than twice the
    /// target, then area-averaged (INTER_AREA alone on a 1920×1448 photo took 6.1 ms, the pyramid and a small area
    /// resize about 1 ms).
    /// </summary>
    private static Mat Downscale(Mat bgr, int w, int h)
    {
        var current = bgr;
        try
        {
            for (int cw = current.Width, ch = current.Height; cw > 2 * w && ch > 2 * h; cw = current.Width, ch = current.Height)
            {
                var half = new Mat();
                Cv2.PyrDown(current, half);
                if (!ReferenceEquals(current, bgr)) current.Dispose();
                current = half;
            }
            var resized = new Mat();
            Cv2.Resize(current, resized, new Size(w, h), 0, 0, current.Width > w ? InterpolationFlags.Area : InterpolationFlags.Linear);
            return resized;
        }
        finally
        {
            if (!ReferenceEquals(current, bgr)) current.Dispose();
        }
    }

    /// <summary>The face mesh of every region in one run: 468 points per face in photo coordinates, and the presence probability.</summary>
    private (Point3f[][] Meshes, float[] Presence) Landmarks(Mat bgr, FaceRegion[] regions)
    {
        const int size = FaceRegion.CropSize;
        var crops = new Mat[regions.Length];
        float[] input;
        try
        {
            for (int i = 0; i < regions.Length; i++)
            {
                using var m = regions[i].CropToPhoto();
                crops[i] = new Mat();
                Cv2.WarpAffine(bgr, crops[i], m, new Size(size, size), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Replicate);
            }
            input = Blob(crops, 1 / 255.0, 0);
        }
        finally
        {
            foreach (var c in crops) c?.Dispose();
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

    /// <summary>
    /// BGR images of one size as an NCHW RGB tensor of (value − mean)·scale: each image split into its channels and each
    /// channel converted by OpenCV straight into its plane of the tensor (vectorised; 4 face crops in about 0.3 ms, where
    /// a loop over pixels or OpenCV's blobFromImages took 3.6–5 ms).
    /// </summary>
    private static unsafe float[] Blob(Mat[] images, double scale, double mean)
    {
        int rows = images[0].Rows, cols = images[0].Cols, plane = rows * cols;
        var values = new float[images.Length * 3 * plane];
        fixed (float* start = values)
        {
            for (int i = 0; i < images.Length; i++)
            {
                Cv2.Split(images[i], out var channels);
                try
                {
                    for (int c = 0; c < 3; c++)
                    {
                        // RGB order: B (channel 0) is plane 2.
                        using var target = Mat.FromPixelData(rows, cols, MatType.CV_32FC1, (IntPtr)(start + (i * 3 + 2 - c) * plane));
                        channels[c].ConvertTo(target, MatType.CV_32F, scale, -mean * scale);
                    }
                }
                finally
                {
                    foreach (var ch in channels) ch.Dispose();
                }
            }
        }
        return values;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _detector.Dispose();
        _landmarks.Dispose();
        _run.Dispose();
    }
}
