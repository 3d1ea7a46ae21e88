using Microsoft.ML.OnnxRuntime;

namespace SphereFace.Graphs.Native;

/// <summary>
/// The native ONNX Runtime custom-op library with the A-Softmax margin function ψ (sources in Graphs/Native,
/// built by the Graphs project with CMake). Domain <see cref="Domain"/>, ops <see cref="PsiOp"/> (cos θ → ψ(θ))
/// and <see cref="PsiGradOp"/> ((cos θ, dψ) → d cos θ), integer attribute <c>m</c> in
/// [<see cref="MinMargin"/>, <see cref="MaxMargin"/>]. The library file is copied next to the assemblies of
/// every project that references Graphs.
/// </summary>
public static class MarginPlugin
{
    /// <summary>Custom operator-set domain of the plugin's ops (version 1).</summary>
    public const string Domain = "ai.sphereface";
    /// <summary>Forward op: ψ(θ) from cos θ.</summary>
    public const string PsiOp = "Psi";
    /// <summary>Gradient op: dψ/d cos θ times the upstream gradient.</summary>
    public const string PsiGradOp = "PsiGrad";
    /// <summary>File name of the shared library.</summary>
    public const string LibraryFileName = "libsphereface_margin.so";
    /// <summary>Smallest supported margin m.</summary>
    public const int MinMargin = 1;
    /// <summary>Largest supported margin m.</summary>
    public const int MaxMargin = 8;
    /// <summary>Environment variable that may name the library explicitly (overrides the default location).</summary>
    public const string PathVariable = "SPHEREFACE_MARGIN_PLUGIN";

    /// <summary>
    /// Full path of the library: <see cref="PathVariable"/> when set, else the file next to this assembly.
    /// Throws <see cref="FileNotFoundException"/> naming the path looked at when the file is missing.
    /// </summary>
    public static string Path
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable(PathVariable);
            string path = !string.IsNullOrEmpty(fromEnv)
                ? System.IO.Path.GetFullPath(fromEnv)
                : System.IO.Path.Combine(AppContext.BaseDirectory, LibraryFileName);
            return CheckExists(path);
        }
    }

    /// <summary>Registers the plugin's ops on <paramref name="options"/> (library from <see cref="Path"/>).</summary>
    public static void Register(SessionOptions options) => Register(options, Path);

    /// <summary>Registers the plugin at <paramref name="libraryPath"/> on <paramref name="options"/>; clear error when it is missing or cannot be loaded.</summary>
    public static void Register(SessionOptions options, string libraryPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckExists(libraryPath);
        try
        {
            options.RegisterCustomOpLibrary(libraryPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"Margin plugin '{libraryPath}' could not be registered with ONNX Runtime: {e.Message}", e);
        }
    }

    private static string CheckExists(string path) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"Margin plugin library '{path}' not found. It is built with the Graphs project (needs cmake and g++) and copied " +
                $"next to the assemblies; set {PathVariable} to use another location, or build the graph with the pure-ONNX twin (--no-plugin).", path);
}
