using OpenCvSharp;

namespace SphereFace.Cli.Inputs;

/// <summary>One image to embed: its file, identity (from the folder name) and landmarks (null: already aligned).</summary>
internal sealed record FaceInput(string Path, string Identity, Point2f[]? Landmarks);
