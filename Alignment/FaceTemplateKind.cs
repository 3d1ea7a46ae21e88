namespace SphereFace.Alignment;

/// <summary>The aligned-face layouts the project supports.</summary>
public enum FaceTemplateKind
{
    /// <summary>SphereFace's 112 (rows) × 96 (columns) crop, the paper's network input.</summary>
    Sphere112x96,

    /// <summary>The square 112 × 112 variant: the same points moved 8 px right (x + 8).</summary>
    Sphere112x112,
}
