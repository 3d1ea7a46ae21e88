using SphereFace.Models.Errors;
using System.Globalization;

namespace SphereFace.Cli.Pipeline;

/// <summary>Runs <c>sphereface</c> verbs in-process, one titled step at a time, as a user would type them.</summary>
internal static class VerbRunner
{
    /// <summary>Prints the step and its command line, runs it, and throws when it fails.</summary>
    public static void Step(string title, params string[] args)
    {
        Console.WriteLine($"== {title}: sphereface {string.Join(' ', args)}");
        int code = CliApp.Run(args);
        if (code != 0) throw new SphereFaceException(SphereFaceErrorCode.StepFailed, $"step '{title}' failed (exit code {code}).") { Data = { ["exit_code"] = code } };
    }

    /// <summary>Invariant text of a number, for command lines.</summary>
    public static string S(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>A path relative to <paramref name="dir"/> with forward slashes (for Markdown links).</summary>
    public static string Rel(string dir, string path) => Path.GetRelativePath(dir, path).Replace('\\', '/');
}
