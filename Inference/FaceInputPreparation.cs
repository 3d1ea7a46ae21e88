using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Models;
using SphereFace.Models.Errors;

namespace SphereFace.Inference;

/// <summary>
/// Turns a <see cref="FaceImage"/> into the network input a model's <see cref="InputContract"/> asks for: decoded to
/// 8-bit BGR, aligned onto the contract's template (size and origin) when it has landmarks, or taken as an aligned face
/// (a 112×112 face aligned to the square template is cropped to its middle 96 columns for a 112×96 model), then
/// normalised to CHW RGB ((p − 127.5)/128). The <see cref="Embedder"/> embeds exactly this; calibration
/// (<c>quantize</c>) observes exactly this. Not thread-safe (one aligner).
/// </summary>
public sealed class FaceInputPreparation
{
    private readonly FaceAligner _aligner;

    /// <summary>Prepares inputs for a model with <paramref name="contract"/>.</summary>
    public FaceInputPreparation(InputContract contract)
    {
        Contract = contract;
        _aligner = new FaceAligner(TemplateKind, (TemplateOrigin)contract.TemplateOrigin);
    }

    /// <summary>The model's input contract.</summary>
    public InputContract Contract { get; }

    /// <summary>The alignment template matching the model's input size.</summary>
    public FaceTemplateKind TemplateKind => Contract.Width == 112 ? FaceTemplateKind.Sphere112x112 : FaceTemplateKind.Sphere112x96;

    /// <summary>Floats in one input tensor (3 × H × W).</summary>
    public int TensorLength => 3 * Contract.Height * Contract.Width;

    /// <summary>
    /// Whether an aligned face of this size can be used: the model's input size, or, for a 112×96 model, a face aligned
    /// to the 112×112 template (insightface's datasets: the ArcFace template is SphereFace's moved 8 px right), of which
    /// columns 8–103 are exactly the 112×96 crop.
    /// </summary>
    public bool AcceptsAlignedSize(int width, int height) =>
        height == Contract.Height && (width == Contract.Width || (Contract.Width == 96 && SquareTemplateCrop.IsSquareFace(width, height)));

    /// <summary>The input tensor of <paramref name="face"/>.</summary>
    /// <exception cref="FaceInputException">The image cannot be decoded, is empty or of another type, an aligned face has
    /// another size, or the landmarks are degenerate; the message names the face.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public float[] Prepare(FaceImage face)
    {
        var tensor = new float[TensorLength];
        Prepare(face, tensor);
        return tensor;
    }

    /// <summary>Writes the input tensor of <paramref name="face"/> into <paramref name="tensor"/> (<see cref="TensorLength"/> floats).</summary>
    /// <exception cref="FaceInputException">As <see cref="Prepare(FaceImage)"/>.</exception>
    /// <exception cref="ArgumentException">The destination's length is wrong.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public void Prepare(FaceImage face, Span<float> tensor)
    {
        ArgumentNullException.ThrowIfNull(face);
        if (tensor.Length != TensorLength) throw new ArgumentException($"The input tensor holds {tensor.Length} floats, expected {TensorLength}.");
        var bgr = face.OpenBgr(out bool owned);
        try
        {
            if (face.Landmarks is not { } points)
            {
                CheckAligned(bgr, face.Name);
                if (bgr.Width == Contract.Width) FacePreprocess.ToTensor(bgr, tensor, TemplateKind);
                else
                {
                    using var middle = SquareTemplateCrop.Middle(bgr);
                    FacePreprocess.ToTensor(middle, tensor, TemplateKind);
                }
                return;
            }
            var landmarks = points as Point2f[] ?? points.ToArray();
            try { LandmarkCheck.Validate(landmarks, bgr.Size()); }
            catch (ArgumentException e) { throw new FaceInputException(FaceInputError.InvalidLandmarks, face.Name, $"{face.Name}: {e.Message}", e); }
            using var aligned = _aligner.Align(bgr, landmarks);
            FacePreprocess.ToTensor(aligned, tensor, TemplateKind);
        }
        finally
        {
            if (owned) bgr.Dispose();
        }
    }

    /// <summary>Throws unless <paramref name="face"/> is a usable aligned face (size and 8-bit type); <paramref name="name"/> names it.</summary>
    /// <exception cref="FaceInputException">It is empty, of another size, or not an 8-bit 1/3/4-channel image.</exception>
    public void CheckAligned(Mat face, string name)
    {
        if (face is null || face.Empty()) throw new FaceInputException(FaceInputError.UnsupportedImage, name, $"{name} is empty.");
        if (!AcceptsAlignedSize(face.Width, face.Height))
            throw new FaceInputException(FaceInputError.WrongSize, name,
                $"{name} is {face.Width}×{face.Height} (width×height); the model takes {Contract.Width}×{Contract.Height}" +
                (Contract.Width == 96 ? " (or a 112×112 face aligned to the square template)" : "") + ". Pass the photo with its 5 landmarks to align it first.");
        var type = face.Type();
        if (type != MatType.CV_8UC3 && type != MatType.CV_8UC4 && type != MatType.CV_8UC1)
            throw new FaceInputException(FaceInputError.UnsupportedImage, name, $"{name} has type {type}; expected 8-bit BGR (CV_8UC3), BGRA (CV_8UC4) or grayscale (CV_8UC1).");
    }
}
