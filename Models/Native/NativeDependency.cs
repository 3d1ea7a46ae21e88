using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SphereFace.Models.Errors;

namespace SphereFace.Models.Native;

/// <summary>
/// A native library that a managed package loads by name (ONNX Runtime's <c>onnxruntime</c>, OpenCvSharp's
/// <c>OpenCvSharpExtern</c>), probed once per process so that a missing file or a missing system dependency is one
/// readable <see cref="SphereFaceException"/> naming what to add, at construction rather than deep inside the first call.
/// </summary>
public sealed partial class NativeDependency
{
    private readonly Lazy<string?> _problem;

    /// <summary>Describes a library loaded as <paramref name="name"/> by <paramref name="assembly"/>'s P/Invokes.</summary>
    /// <param name="name">The name the P/Invokes use (e.g. <c>onnxruntime</c>).</param>
    /// <param name="assembly">The managed assembly whose resolution rules (deps.json, runtimes/RID/native) apply.</param>
    /// <param name="remedy">What the application adds when the file itself is missing, e.g. "add the NuGet package …".</param>
    public NativeDependency(string name, Assembly assembly, string remedy)
    {
        Name = name;
        Remedy = remedy;
        _problem = new Lazy<string?>(() => Probe(name, assembly, remedy));
    }

    /// <summary>ONNX Runtime's native library (from the package <c>Microsoft.ML.OnnxRuntime</c> or <c>.Gpu</c>).</summary>
    public static NativeDependency OnnxRuntime { get; } = new("onnxruntime", typeof(Microsoft.ML.OnnxRuntime.OrtEnv).Assembly,
        "add the NuGet package Microsoft.ML.OnnxRuntime 1.31.1 (CPU) or Microsoft.ML.OnnxRuntime.Gpu 1.31.0 (CUDA) to the application");

    /// <summary>The P/Invoke name.</summary>
    public string Name { get; }

    /// <summary>What to add when the library file itself is missing.</summary>
    public string Remedy { get; }

    /// <summary>Why the library cannot be loaded (one line), or null when it loads.</summary>
    public string? Problem => _problem.Value;

    /// <summary>Throws unless the library loads.</summary>
    /// <exception cref="SphereFaceException">It cannot be loaded (<see cref="SphereFaceErrorCode.NativeLibraryMissing"/>);
    /// the message names the NuGet package to add or the system library and Debian package to install.</exception>
    public void Ensure()
    {
        if (Problem is { } problem) throw new SphereFaceException(SphereFaceErrorCode.NativeLibraryMissing, problem);
    }

    private static string? Probe(string name, Assembly assembly, string remedy)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(name, assembly, null));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return Explain(name, e.Message, remedy);
        }
    }

    /// <summary>
    /// One line from the loader's report (<paramref name="loaderMessage"/>, every path it tried): the first system
    /// library that <paramref name="name"/> needs and the loader could not find, with the Debian package that has it; or,
    /// when only <paramref name="name"/> itself was missing, <paramref name="remedy"/>.
    /// </summary>
    public static string Explain(string name, string loaderMessage, string remedy)
    {
        ArgumentNullException.ThrowIfNull(loaderMessage);
        string self = $"lib{name}.so";
        var missing = MissingObject().Matches(loaderMessage).Select(m => m.Groups[1].Value)
            .FirstOrDefault(f => Stem(Path.GetFileName(f)) != name);
        if (missing is not null)
        {
            string file = Path.GetFileName(missing);
            return $"{self} was found but needs {file}, which is not installed ({DebianPackage(file)}).";
        }
        string? wrongFormat = WrongFormat().Match(loaderMessage) is { Success: true } m ? m.Value : null;
        return wrongFormat is not null
            ? $"{self} cannot be loaded: {wrongFormat}."
            : $"{self} was not found next to the application or on the library path: {remedy}.";
    }

    // "libfoo.so.2" → "foo", "foo.so" → "foo": the names the loader tried for the library itself.
    private static string Stem(string file)
    {
        string stem = file.StartsWith("lib", StringComparison.Ordinal) ? file[3..] : file;
        int so = stem.IndexOf(".so", StringComparison.Ordinal);
        return so < 0 ? stem : stem[..so];
    }

    /// <summary>The Debian package that provides the shared object <paramref name="soname"/>, as an install hint.</summary>
    public static string DebianPackage(string soname) => soname switch
    {
        "libgtk-3.so.0" => "Debian/Ubuntu: apt-get install libgtk-3-0",
        "libdnnl.so.2" => "Debian/Ubuntu: apt-get install libdnnl2",
        "libgomp.so.1" => "Debian/Ubuntu: apt-get install libgomp1",
        "libmpi.so.40" => "Debian/Ubuntu: apt-get install libopenmpi3",
        _ => $"install the system package that provides {soname}",
    };

    [GeneratedRegex(@"([^\s:'""]+\.so[0-9.]*): cannot open shared object file")]
    private static partial Regex MissingObject();

    [GeneratedRegex(@"[^\s:'""]+\.so[0-9.]*: (wrong ELF class[^\n]*|invalid ELF header|file too short)")]
    private static partial Regex WrongFormat();
}
