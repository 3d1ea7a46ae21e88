namespace SphereFace.Graphs.Ops;

/// <summary>How the input gradient of a strided Conv is formulated (both are exact; they differ in speed).</summary>
public enum StridedInputGradient
{
    /// <summary>Insert stride − 1 zeros between the output gradient's pixels, then a stride-1 Conv with the flipped, transposed weights.</summary>
    ZeroInsertion,
    /// <summary>One stride-1 Conv computing every output phase as channels, then DepthToSpace (s²·T² taps instead of s²·k²).</summary>
    Polyphase,
    /// <summary>One ConvTranspose with output_padding (ONNX Runtime's CPU kernel runs it image by image).</summary>
    ConvTranspose,
}

/// <summary>How the weight gradient of a Conv is formulated (both exact).</summary>
public enum WeightGradient
{
    /// <summary>One Conv with batch and channel axes swapped (X as [C,N,H,W], dY as [M,N,h,w] filters dilated by the stride).</summary>
    SwappedConv,
    /// <summary>Explicit im2col of X (k² strided Slices, Concat) and one Gemm dY[M, N·h·w] · cols[C·k², N·h·w]ᵀ.</summary>
    Im2ColGemm,
    /// <summary>One Gemm per kernel tap: dW[:,:,i,j] = dY[M, N·h·w] · slice_ij(X)[C, N·h·w]ᵀ (no k²-sized im2col copy), Concat of the small results.</summary>
    TapGemms,
}

/// <summary>
/// Choices of the standard Conv gradient rule that trade nothing in exactness, only in speed; the defaults are the
/// fastest measured on ONNX Runtime's CPU provider (docs/training-performance.md). Passed to
/// <see cref="Autodiff.ReverseMode.Differentiate"/> with the graph being differentiated.
/// </summary>
/// <param name="StridedInput">Formulation of the input gradient of convs with stride &gt; 1.</param>
/// <param name="UnstridedInputViaConvTranspose">Input gradient of stride-1 convs as ConvTranspose instead of a Conv with flipped weights (for comparison only).</param>
/// <param name="Weight">Formulation of the weight gradient.</param>
public sealed record ConvGradientOptions(
    StridedInputGradient StridedInput = StridedInputGradient.ConvTranspose,
    bool UnstridedInputViaConvTranspose = false,
    WeightGradient Weight = WeightGradient.Im2ColGemm)
{
    /// <summary>The fastest measured formulations.</summary>
    public static ConvGradientOptions Default { get; } = new();
}
