namespace SphereFace.Cli.Demo;

/// <summary>Run folders of the demo: a repeated demo trains afresh and keeps the previous run beside the new one.</summary>
internal static class DemoRunFolder
{
    /// <summary>
    /// Empties the way for a new training in <paramref name="run"/>: a non-empty folder (an earlier demo's run,
    /// which <c>train</c> would refuse to overwrite) becomes <c>&lt;run&gt;.previous</c>, replacing an older one.
    /// Returns the folder it was moved to, or null when there was nothing to move.
    /// </summary>
    public static string? MakeRoom(string run)
    {
        if (!Directory.Exists(run) || !Directory.EnumerateFileSystemEntries(run).Any()) return null;
        string previous = run.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + ".previous";
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        Directory.Move(run, previous);
        return previous;
    }
}
