using SphereFace.Graphs.IO;

namespace SphereFace.Tests.Support;

/// <summary>Runs Debian's python3 (with python3-onnx / numpy) as an independent reference; failures fail the test.</summary>
public static class Python
{
    /// <summary>Runs <paramref name="script"/> with arguments; returns stdout, throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        try { return DebianPython.Run(["-c", script, .. args]); }
        catch (SphereFace.Models.Errors.SphereFaceException e) { throw new AssertFailedException(e.Message, e); }
    }
}
