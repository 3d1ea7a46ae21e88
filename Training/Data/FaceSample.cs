using OpenCvSharp;

namespace SphereFace.Training.Data;

/// <summary>One training image: where it is, its identity label, and its five landmarks (null when already aligned).</summary>
public sealed record FaceSample(string Path, int Label, Point2f[]? Landmarks);
