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
}
