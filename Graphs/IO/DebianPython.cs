using SphereFace.Models.Errors;
using System.Diagnostics;

namespace SphereFace.Graphs.IO;

/// <summary>
/// Runs Debian's <c>/usr/bin/python3</c>, the interpreter that has the Debian packages the project uses as
/// independent references and benchmark peers (python3-torch, python3-onnx, python3-numpy); another python3 on
/// PATH usually lacks them.
/// </summary>
public static class DebianPython
{
    /// <summary>The interpreter's path.</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>
    /// Runs the interpreter with <paramref name="arguments"/> (a script path or <c>-c CODE</c>, then its arguments) and
    /// <paramref name="environment"/> added, and returns its standard output. Throws <see cref="SphereFaceException"/> (<see cref="SphereFaceErrorCode.ExternalToolFailed"/>)
    /// when the interpreter is missing or exits non-zero; the message carries its standard error.
    /// </summary>
    public static string Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Interpreter))
            throw new SphereFaceException(SphereFaceErrorCode.ExternalToolFailed, $"'{Interpreter}' is missing; install Debian's python3 (with python3-torch / python3-onnx as needed).");
        var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        using var p = Process.Start(psi) ?? throw new SphereFaceException(SphereFaceErrorCode.ExternalToolFailed, $"Cannot start {Interpreter}.");
        // Both streams are drained concurrently so a chatty stderr cannot block the child.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new SphereFaceException(SphereFaceErrorCode.ExternalToolFailed, $"{Interpreter} exited {p.ExitCode}: {stderr.Result.Trim()}");
        return stdout.Result;
    }
}
