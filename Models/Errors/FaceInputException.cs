namespace SphereFace.Models.Errors;

/// <summary>
/// The caller's face input is unusable: an image that does not decode or is too large, bad landmarks, a face of the
/// wrong size, a photo with no face (<see cref="Reason"/>). It is the one exception a service maps to "the request was
/// wrong" (HTTP 422, docs/packages.md); configuration problems (a missing model or native library:
/// <see cref="FileNotFoundException"/>, <see cref="SphereFaceException"/>) and API misuse (<see cref="ArgumentException"/>)
/// stay distinct. (Before version 0.4 an undecodable image was an <see cref="InvalidDataException"/> and bad landmarks an
/// <see cref="ArgumentException"/>.)
/// </summary>
public sealed class FaceInputException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> is one line that names <paramref name="inputName"/>.</summary>
    public FaceInputException(FaceInputError reason, string inputName, string message, Exception? inner = null) : base(message, inner)
    {
        Reason = reason;
        InputName = inputName;
    }

    /// <summary>Why the input is unusable.</summary>
    public FaceInputError Reason { get; }

    /// <summary>The input's name: the file path, or the name given with the bytes or image (e.g. "encoded image").</summary>
    public string InputName { get; }
}
