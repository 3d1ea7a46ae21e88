namespace SphereFace.Models.Errors;

/// <summary>
/// The project's exception for expected failures that are not a malformed argument or file (those are
/// <see cref="ArgumentException"/>, <see cref="InvalidDataException"/> and <see cref="IOException"/>):
/// <see cref="Code"/> tells them apart, and the command line maps each code to its exit status.
/// </summary>
public sealed class SphereFaceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SphereFaceException(SphereFaceErrorCode code, string message, Exception? inner = null) : base(message, inner) => Code = code;

    /// <summary>What failed.</summary>
    public SphereFaceErrorCode Code { get; }
}
