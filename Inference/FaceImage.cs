using SphereFace.Models.Errors;
using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Inference;

/// <summary>
/// One face to embed: a photo with its five landmarks (left eye, right eye, nose, left and right mouth corner, in
/// pixels), or, without landmarks, a face already aligned to the model's input size. The image is a file, encoded
/// bytes or an OpenCV image (BGR, BGRA or grayscale), decoded when it is embedded.
/// </summary>
public sealed class FaceImage
{
    private readonly string? _path;
    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly Mat? _image;

    private FaceImage(string name, string? path, ReadOnlyMemory<byte> encoded, Mat? image, IReadOnlyList<Point2f>? landmarks)
    {
        if (landmarks is not null && landmarks.Count != 5) throw new FaceInputException(FaceInputError.InvalidLandmarks, name, $"{name}: expected 5 landmarks, got {landmarks.Count}.");
        Name = name;
        _path = path;
        _encoded = encoded;
        _image = image;
        Landmarks = landmarks?.ToArray();
    }

    /// <summary>An image file (JPEG, PNG, …).</summary>
    public static FaceImage FromFile(string path, IReadOnlyList<Point2f>? landmarks = null) =>
        new(path ?? throw new ArgumentNullException(nameof(path)), path, default, null, landmarks);

    /// <summary>An encoded image held in memory (JPEG, PNG, …); <paramref name="name"/> names it in errors.</summary>
    public static FaceImage FromEncoded(ReadOnlyMemory<byte> encoded, IReadOnlyList<Point2f>? landmarks = null, string name = "encoded image") =>
        new(name, null, encoded, null, landmarks);

    /// <summary>A decoded image (BGR, BGRA or grayscale, 8 bits); the caller keeps ownership of it.</summary>
    public static FaceImage FromMat(Mat image, IReadOnlyList<Point2f>? landmarks = null, string name = "image") =>
        new(name, null, default, image ?? throw new ArgumentNullException(nameof(image)), landmarks);

    /// <summary>What errors call this face: its path, or the name given.</summary>
    public string Name { get; }

    /// <summary>The five landmarks; null when the image is an aligned face.</summary>
    public IReadOnlyList<Point2f>? Landmarks { get; }

    /// <summary>The image as 8-bit BGR; dispose it unless it is the caller's own <see cref="Mat"/> (<paramref name="owned"/> false).</summary>
    internal Mat OpenBgr(out bool owned)
    {
        Mat decoded = _path is not null ? PhotoReader.Read(_path)
            : _image is null ? PhotoReader.Decode(_encoded.Span, Name)
            : _image;
        var bgr = PhotoReader.AsBgr(decoded, Name);
        if (!ReferenceEquals(decoded, bgr) && !ReferenceEquals(decoded, _image)) decoded.Dispose();
        owned = !ReferenceEquals(bgr, _image);
        return bgr;
    }
}
