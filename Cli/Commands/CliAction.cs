using System.Reflection;
using SphereFace.Models.Errors;

namespace SphereFace.Cli.Commands;

/// <summary>
/// The command line's error model. Expected failures — a bad option or spec field (<see cref="InputException"/>), a bad
/// or missing file, an unusable face, an unavailable device or tool — are one line on stderr naming what was wrong, exit
/// code 2; a diverged training run is exit code 3. Anything else is a bug: the stack trace on stderr, exit code 1 — an
/// <see cref="ArgumentException"/> that is not an <see cref="InputException"/> too, since it means the command handed a
/// library a value it should have checked (API misuse). Exceptions wrapped by parallel loops or reflection are
/// unwrapped first, so an unreadable file found on a worker thread reads like one found on the main thread.
/// </summary>
internal static class CliAction
{
    /// <summary>Exit code of a bug (an unexpected exception).</summary>
    public const int Bug = 1;
    /// <summary>Exit code of bad input: options, files, devices, tools.</summary>
    public const int BadInput = 2;
    /// <summary>Exit code of a training run stopped because its loss or parameters became non-finite.</summary>
    public const int Diverged = 3;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var failure = Unwrap(e);
            if (IsExpected(failure))
            {
                Console.Error.WriteLine($"sphereface: error: {failure.Message}{NameHint(failure.Message)}");
                return ExitCode(failure);
            }
            Console.Error.WriteLine($"sphereface: internal error (a bug; please report it with this trace):{Environment.NewLine}{e}");
            return Bug;
        }
    }

    /// <summary>
    /// A file name that is not valid UTF-8 reaches .NET with U+FFFD in place of its bad bytes and cannot be opened under
    /// that name: say so, rather than leave "does not exist" about a file the user can see.
    /// </summary>
    private static string NameHint(string message) =>
        message.Contains('\uFFFD', StringComparison.Ordinal)
            ? " (a name shown with '\uFFFD' has bytes that are not UTF-8, which .NET cannot open on Linux: rename the file, e.g. with convmv)"
            : "";

    /// <summary>True for the failures the user can fix: the exception types that report bad input.</summary>
    public static bool IsExpected(Exception e) => e switch
    {
        InputException => true,
        ArgumentException => false,
        InvalidDataException or IOException or UnauthorizedAccessException or SphereFaceException or FaceInputException => true,
        _ => false,
    };

    /// <summary>
    /// The exception to report: the inner one of a <see cref="TargetInvocationException"/>, and of an
    /// <see cref="AggregateException"/> whose inner exceptions are all expected, the first (the aggregate itself when
    /// one of them is a bug, so the trace shows every one).
    /// </summary>
    public static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                case AggregateException aggregate:
                    var inners = aggregate.Flatten().InnerExceptions.Select(Unwrap).ToList();
                    return inners.Count > 0 && inners.All(IsExpected) ? inners[0] : aggregate;
                default:
                    return e;
            }
        }
    }

    private static int ExitCode(Exception e) => e switch
    {
        SphereFaceException { Code: SphereFaceErrorCode.TrainingDiverged } => Diverged,
        SphereFaceException { Code: SphereFaceErrorCode.StepFailed } s when s.Data["exit_code"] is int code => code,
        _ => BadInput,
    };
}
