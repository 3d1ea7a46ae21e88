using SphereFace.Cli;

namespace SphereFace.Tests.Support;

/// <summary>Runs the <c>sphereface</c> command line in-process and captures what it wrote to stderr.</summary>
public static class CliRun
{
    /// <summary>Exit code and stderr text of <c>sphereface args…</c>.</summary>
    public static (int Code, string Error) Run(params string[] args)
    {
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try { return (CliApp.Run(args), err.ToString()); }
        finally { Console.SetError(previous); }
    }

    /// <summary>Exit code, stdout and stderr text of <c>sphereface args…</c>.</summary>
    public static (int Code, string Output, string Error) RunCapturing(params string[] args)
    {
        var (output, err) = (new StringWriter(), new StringWriter());
        var (previousOut, previousErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(err);
        try { return (CliApp.Run(args), output.ToString(), err.ToString()); }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousErr);
        }
    }
}
