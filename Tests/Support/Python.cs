using System.Diagnostics;

namespace SphereFace.Tests.Support;

/// <summary>Runs Debian's python3 (with python3-onnx / numpy) as an independent reference.</summary>
public static class Python
{
    /// <summary>Debian's interpreter; other python3 builds on PATH lack the Debian packages.</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with arguments; returns stdout, throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Interpreter}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new AssertFailedException($"python exited {p.ExitCode}: {stderr.Result}\n{stdout.Result}");
        return stdout.Result;
    }
}
