namespace SphereFace.Models.Errors;

/// <summary>
/// A user's input cannot be used: a command-line flag, a run-spec field, or a name or value read from the user's text
/// (an unknown net, loss head, kernels or device; a loss parameter out of range). The command line answers it with one
/// line and exit code 2. Any other <see cref="ArgumentException"/> is API misuse — a bug in the calling code — which the
/// command line reports with its trace and exit code 1. It derives from <see cref="ArgumentException"/> so that code
/// catching that type (as code written against 0.4 does) still catches it. Faces are
/// <see cref="FaceInputException"/>, malformed files <see cref="InvalidDataException"/>.
/// </summary>
public class InputException : ArgumentException
{
    /// <summary>Creates the error; <paramref name="message"/> is one line naming the input and what was expected.</summary>
    public InputException(string message, Exception? inner = null) : base(message, inner) { }
}
