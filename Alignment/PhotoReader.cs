using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>
/// Turns what callers hold — a file, encoded bytes, or an OpenCV image of 1, 3 or 4 channels — into the
/// 8-bit BGR image the alignment and preprocessing take.
/// </summary>
public static class PhotoReader
{
    /// <summary>Reads and decodes an image file (any format OpenCV decodes: JPEG, PNG, BMP, WebP, TIFF, …) as BGR.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty or not a decodable image; the message names it.</exception>
    public static Mat Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Image '{path}' does not exist.", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes an encoded image (JPEG, PNG, …) as BGR; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are empty or not a decodable image.</exception>
    public static Mat Decode(ReadOnlySpan<byte> encoded, string source = "encoded image")
    {
        if (encoded.IsEmpty) throw new InvalidDataException($"{source}: no image data (0 bytes).");
        Mat image;
        try { image = Cv2.ImDecode(encoded, ImreadModes.Color); }
        catch (OpenCVException e) { throw new InvalidDataException($"{source}: not a decodable image ({e.Message}).", e); }
        if (image.Empty())
        {
            image.Dispose();
            throw new InvalidDataException($"{source}: not a decodable image ({encoded.Length} bytes; expected JPEG, PNG, BMP, WebP or another format OpenCV reads).");
        }
        return image;
    }

    /// <summary>
    /// <paramref name="image"/> as 8-bit BGR: the same object when it already is (CV_8UC3), else a converted copy of
    /// a grayscale (CV_8UC1) or BGRA (CV_8UC4, alpha dropped) image. Dispose the result only when it is not
    /// <paramref name="image"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The image is empty or of another type (e.g. 16-bit or float).</exception>
    public static Mat AsBgr(Mat image, string source = "image")
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException($"{source} is empty.");
        var type = image.Type();
        if (type == MatType.CV_8UC3) return image;
        var converted = new Mat();
        if (type == MatType.CV_8UC1) Cv2.CvtColor(image, converted, ColorConversionCodes.GRAY2BGR);
        else if (type == MatType.CV_8UC4) Cv2.CvtColor(image, converted, ColorConversionCodes.BGRA2BGR);
        else
        {
            converted.Dispose();
            throw new ArgumentException($"{source} has type {type}; expected 8-bit BGR (CV_8UC3), BGRA (CV_8UC4) or grayscale (CV_8UC1).");
        }
        return converted;
    }
}
