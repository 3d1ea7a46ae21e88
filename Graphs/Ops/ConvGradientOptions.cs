namespace SphereFace.Graphs.Ops;

/// <summary>How the input gradient of a strided Conv is formulated (both are exact; they differ in speed).</summary>
public enum StridedInputGradient
{
    /// <summary>Insert stride − 1 zeros between the output gradient's pixels, then a stride-1 Conv with the flipped, transposed weights.</summary>
    ZeroInsertion,
    /// <summary>One ConvTranspose with output_padding (ONNX Runtime's CPU kernel runs it image by image).</summary>
    ConvTranspose,
}

/// <summary>
/// Choices of the Conv gradient rule that trade nothing in exactness, only in speed; the defaults are the
/// fastest measured on ONNX Runtime's CPU provider (docs/training-performance.md). Set before building a graph.
/// </summary>
public static class ConvGradientOptions
{
    /// <summary>Formulation of the input gradient of convs with stride &gt; 1.</summary>
    public static StridedInputGradient StridedInput { get; set; } = StridedInputGradient.ZeroInsertion;
}
