using Microsoft.ML.OnnxRuntime;

namespace SphereFace.Models.Native;

/// <summary>
/// The ops of the margin library (<see cref="PluginLibrary.Margin"/>, sources in Models/Native/Margin): domain
/// <see cref="Domain"/>, ops <see cref="PsiOp"/> (cos θ → ψ(θ)) and <see cref="PsiGradOp"/> ((cos θ, dψ) → d cos θ),
/// integer attribute <c>m</c> in [<see cref="MinMargin"/>, <see cref="MaxMargin"/>].
/// </summary>
public static class MarginPlugin
{
    /// <summary>Custom operator-set domain of the plugin's ops (version 1).</summary>
    public const string Domain = "ai.sphereface";
    /// <summary>Forward op: ψ(θ) from cos θ.</summary>
    public const string PsiOp = "Psi";
    /// <summary>Gradient op: dψ/d cos θ times the upstream gradient.</summary>
    public const string PsiGradOp = "PsiGrad";
    /// <summary>Smallest supported margin m.</summary>
    public const int MinMargin = 1;
    /// <summary>Largest supported margin m.</summary>
    public const int MaxMargin = 8;

    /// <summary>File name of the shared library.</summary>
    public static string LibraryFileName => PluginLibrary.Margin.FileName;

    /// <summary>Full path of the library (see <see cref="PluginLibrary.Path"/>).</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    public static string Path => PluginLibrary.Margin.Path;

    /// <summary>Registers the plugin's ops on <paramref name="options"/>.</summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime could not load it.</exception>
    public static void Register(SessionOptions options) => PluginLibrary.Margin.Register(options);

    /// <summary>Registers the plugin at <paramref name="libraryPath"/> on <paramref name="options"/>.</summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime could not load it.</exception>
    public static void Register(SessionOptions options, string libraryPath) => PluginLibrary.Margin.Register(options, libraryPath);
}
