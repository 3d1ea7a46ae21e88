using System.Runtime.InteropServices;

namespace SphereFace.Cli.Inputs;

/// <summary>
/// Outputs never overwrite inputs: before a verb writes anything, each output path is compared with each input path
/// (the same file, also through a symbolic link or a relative path), and a match is one error naming both flags.
/// </summary>
internal static partial class OutputPaths
{
    /// <summary>Refuses <paramref name="output"/> (given as <paramref name="outputFlag"/>) when it is one of <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">The output is an input.</exception>
    public static void Check(string output, string outputFlag, params (string? Path, string Flag)[] inputs)
    {
        string target = Canonical(output);
        foreach (var (path, flag) in inputs)
            if (path is not null && string.Equals(Canonical(path), target, StringComparison.Ordinal))
                throw new Models.Errors.InputException($"{outputFlag} '{output}' is the input {flag} '{path}'; writing it would destroy that input. Choose another {outputFlag}.");
    }

    /// <summary>The absolute path with every symbolic link resolved (realpath) where the file exists, else as given.</summary>
    private static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        if (!OperatingSystem.IsWindows() && (File.Exists(full) || Directory.Exists(full)))
        {
            IntPtr resolved = RealPath(full, IntPtr.Zero);
            if (resolved != IntPtr.Zero)
            {
                try { return Marshal.PtrToStringUTF8(resolved) ?? full; }
                finally { Free(resolved); }
            }
        }
        return full;
    }

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
