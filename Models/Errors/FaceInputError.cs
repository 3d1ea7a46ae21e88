namespace SphereFace.Models.Errors;

/// <summary>
/// Why a caller's face input cannot be used (<see cref="FaceInputException.Reason"/>). Every reason is the caller's to
/// fix (another photo, other landmarks); a web service answers each with HTTP 422 (docs/packages.md).
/// </summary>
public enum FaceInputError
{
    /// <summary>The bytes or file are not an image OpenCV decodes (empty, truncated, another format, a folder).</summary>
    Undecodable,
    /// <summary>The image declares more pixels than the reader's limit (a decompression bomb is refused before decoding).</summary>
    TooLarge,
    /// <summary>The image is empty, or not 8-bit grayscale, BGR or BGRA.</summary>
    UnsupportedImage,
    /// <summary>The 5 landmarks are not finite, lie outside the photo, or are degenerate (no similarity transform fits).</summary>
    InvalidLandmarks,
    /// <summary>A face given without landmarks is not an aligned face of the model's size and is not a photo either.</summary>
    WrongSize,
    /// <summary>A photo given without landmarks shows no face the detector finds.</summary>
    NoFace,
}
