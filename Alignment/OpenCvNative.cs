using OpenCvSharp;
using SphereFace.Models.Native;

namespace SphereFace.Alignment;

/// <summary>OpenCvSharp's native library, which the application adds (docs/packages.md).</summary>
public static class OpenCvNative
{
    /// <summary>
    /// <c>libOpenCvSharpExtern.so</c>, from the package <c>OpenCvSharp4.official.runtime.linux-x64</c>; it needs GTK 3
    /// (Debian: libgtk-3-0), which <see cref="NativeDependency.Ensure"/> names when it is missing.
    /// </summary>
    public static NativeDependency Library { get; } = new("OpenCvSharpExtern", typeof(Cv2).Assembly,
        "add the NuGet package OpenCvSharp4.official.runtime.linux-x64 4.13.0.20260627 to the application");
}
