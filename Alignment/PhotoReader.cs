using OpenCvSharp;
using SphereFace.Models.Errors;

namespace SphereFace.Alignment;

/// <summary>
/// Turns what callers hold — a file, encoded bytes, or an OpenCV image of 1, 3 or 4 channels — into the
/// 8-bit BGR image the alignment and preprocessing take.
/// </summary>
public static class PhotoReader
{
    /// <summary>
    /// Largest image decoded by default, in pixels (100 megapixels: 300 MB as BGR). A header declaring more is refused
    /// before decoding (<see cref="ImageHeader"/>), so a small file that unpacks to gigabytes costs nothing.
    /// </summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>
    /// Reads and decodes an image file (any format OpenCV decodes: JPEG, PNG, BMP, WebP, TIFF, …) as BGR, turned upright
    /// by its EXIF orientation.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FaceInputException">The file is a folder, empty, not a decodable image or larger than <paramref name="maxPixels"/>; the message names it.</exception>
    public static Mat Read(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new FaceInputException(FaceInputError.Undecodable, path, $"Image '{path}' is a folder, not an image file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Image '{path}' does not exist.", path);
        return Decode(File.ReadAllBytes(path), path, maxPixels);
    }

    /// <summary>Decodes an encoded image (JPEG, PNG, …) as BGR, upright by its EXIF orientation; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="FaceInputException">The bytes are empty, not a decodable image, or declare more than <paramref name="maxPixels"/> pixels.</exception>
    public static Mat Decode(ReadOnlySpan<byte> encoded, string source = "encoded image", long maxPixels = DefaultMaxPixels)
    {
        if (encoded.IsEmpty) throw new FaceInputException(FaceInputError.Undecodable, source, $"{source}: no image data (0 bytes).");
        if (ImageHeader.Size(encoded) is var (width, height))
        {
            if (width <= 0 || height <= 0) throw new FaceInputException(FaceInputError.Undecodable, source, $"{source}: the header declares a {width}×{height} image.");
            if ((long)width * height > maxPixels)
                throw new FaceInputException(FaceInputError.TooLarge, source, $"{source}: {width}×{height} = {(long)width * height:N0} pixels is above the limit of {maxPixels:N0} (raise it with the reader's maxPixels / MaxPixels option).");
        }
        if (IsTruncatedJpeg(encoded))
            throw new FaceInputException(FaceInputError.Undecodable, source,
                $"{source}: truncated JPEG ({encoded.Length} bytes; no end-of-image marker after its last scan), which would decode with its lower part grey.");
        Mat image;
        try { image = Cv2.ImDecode(encoded, ImreadModes.Color); }
        catch (OpenCVException e) { throw new FaceInputException(FaceInputError.Undecodable, source, $"{source}: not a decodable image ({e.Message}).", e); }
        if (image.Empty())
        {
            image.Dispose();
            throw new FaceInputException(FaceInputError.Undecodable, source, $"{source}: not a decodable image ({encoded.Length} bytes; expected JPEG, PNG, BMP, WebP or another format OpenCV reads).");
        }
        return image;
    }

    /// <summary>
    /// A JPEG (starts with SOI, FF D8) that ends before its end-of-image marker (FF D9): the marker segments are walked by
    /// their lengths and each scan's entropy-coded data up to the next marker (inside it 0xFF is always stuffed as FF 00
    /// or a restart marker FF D0–D7). Data after the end marker (a motion photo's video) is not looked at.
    /// </summary>
    private static bool IsTruncatedJpeg(ReadOnlySpan<byte> d)
    {
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) return false;
        int i = 2;
        while (true)
        {
            while (i < d.Length && d[i] != 0xFF) i++; // bytes between segments: the decoder's concern
            while (i < d.Length && d[i] == 0xFF) i++; // fill bytes
            if (i >= d.Length) return true;
            byte marker = d[i++];
            if (marker == 0xD9) return false;
            if (marker == 0xD8 || marker is >= 0xD0 and <= 0xD7 || marker == 0x01) continue; // no length field
            if (i + 2 > d.Length) return true;
            int length = (d[i] << 8) | d[i + 1];
            if (length < 2) return false; // malformed, not truncated: the decoder reports it
            i += length;
            if (i > d.Length) return true;
            if (marker != 0xDA) continue;
            while (true) // entropy-coded data of the scan
            {
                int ff = d[i..].IndexOf((byte)0xFF);
                if (ff < 0) return true;
                i += ff;
                if (i + 1 >= d.Length) return true;
                byte next = d[i + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7) { i += 2; continue; }
                if (next == 0xFF) { i++; continue; }
                break; // a marker: the next segment
            }
        }
    }

    /// <summary>
    /// <paramref name="image"/> as 8-bit BGR: the same object when it already is (CV_8UC3), else a converted copy of
    /// a grayscale (CV_8UC1) or BGRA (CV_8UC4, alpha dropped) image. Dispose the result only when it is not
    /// <paramref name="image"/>.
    /// </summary>
    /// <exception cref="FaceInputException">The image is empty or of another type (e.g. 16-bit or float).</exception>
    public static Mat AsBgr(Mat image, string source = "image")
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new FaceInputException(FaceInputError.UnsupportedImage, source, $"{source} is empty.");
        var type = image.Type();
        if (type == MatType.CV_8UC3) return image;
        var converted = new Mat();
        if (type == MatType.CV_8UC1) Cv2.CvtColor(image, converted, ColorConversionCodes.GRAY2BGR);
        else if (type == MatType.CV_8UC4) Cv2.CvtColor(image, converted, ColorConversionCodes.BGRA2BGR);
        else
        {
            converted.Dispose();
            throw new FaceInputException(FaceInputError.UnsupportedImage, source, $"{source} has type {type}; expected 8-bit BGR (CV_8UC3), BGRA (CV_8UC4) or grayscale (CV_8UC1).");
        }
        return converted;
    }
}
