using OpenCvSharp;

namespace SphereFace.Alignment.Formats;

/// <summary>
/// The five landmarks of one image: image-left eye, image-right eye, nose tip, image-left mouth corner,
/// image-right mouth corner, in pixels (0-based, pixel centres at integer coordinates).
/// </summary>
/// <param name="RelativePath">Image path relative to the dataset root, with '/' separators.</param>
/// <param name="Points">Exactly five points.</param>
public sealed record LandmarkEntry(string RelativePath, Point2f[] Points);
