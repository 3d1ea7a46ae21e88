using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Import;

/// <summary>Folds a colour-order change into a net's first convolution.</summary>
public static class ChannelOrder
{
    /// <summary>
    /// Reverses the input channels of a first convolution's [M, 3, kh, kw] weight in place: a net trained on BGR images
    /// then computes on RGB input exactly what it computed on BGR (the published SphereFace models read images with
    /// OpenCV or feed Caffe BGR; the project's models take RGB).
    /// </summary>
    /// <exception cref="ArgumentException">The weight does not have 3 input channels.</exception>
    public static void BgrToRgb(Parameter weight)
    {
        if (weight.Shape.Length != 4 || weight.Shape[1] != 3)
            throw new ArgumentException($"'{weight.Name}' has shape [{string.Join(",", weight.Shape)}]; a first convolution over 3 colour channels was expected.");
        long m = weight.Shape[0], plane = weight.Shape[2] * weight.Shape[3];
        var w = weight.Data;
        for (long o = 0; o < m; o++)
            for (long k = 0; k < plane; k++)
                (w[(o * 3 + 0) * plane + k], w[(o * 3 + 2) * plane + k]) = (w[(o * 3 + 2) * plane + k], w[(o * 3 + 0) * plane + k]);
    }
}
