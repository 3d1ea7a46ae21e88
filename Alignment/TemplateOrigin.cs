namespace SphereFace.Alignment;

/// <summary>
/// Which pixel convention the template's published coordinates are read in. The numbers are SphereFace's; the original
/// MATLAB preprocessing reads them (and the detected landmarks) 1-based, so in OpenCV's 0-based coordinates its template
/// is every point minus (1, 1), and its crop shows the face one pixel further up and left than the 0-based reading.
/// </summary>
public enum TemplateOrigin
{
    /// <summary>The coordinates as OpenCV pixel centres (top-left pixel at (0, 0)): the project's models.</summary>
    ZeroBased = 0,

    /// <summary>The coordinates as MATLAB pixel indices (top-left pixel at (1, 1)): models trained by the original code.</summary>
    OneBased = 1,
}
