using SphereFace.Models.Errors;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Models.Onnx;

namespace SphereFace.Models.Native;

/// <summary>
/// One of the project's native ONNX Runtime custom-op libraries (sources in Models/Native, built by the Models
/// project with CMake and copied next to the assemblies of every project that references it; in the NuGet package under
/// runtimes/linux-x64/native/): the ops of one operator-set <see cref="Domain"/> in the shared library <see cref="FileName"/>.
/// </summary>
public sealed class PluginLibrary
{
    /// <summary>ψ(θ) of A-Softmax and its gradient (<see cref="MarginPlugin"/>); no native dependencies.</summary>
    public static PluginLibrary Margin { get; } = new(MarginPlugin.Domain, "libsphereface_margin.so", "SPHEREFACE_MARGIN_PLUGIN", null,
        "or build the graph with the pure-ONNX twin of ψ (loss.use_plugin = false)");

    /// <summary>Convolutions and their gradients on oneDNN (<see cref="DnnlPlugin"/>); needs Debian's libdnnl2.</summary>
    public static PluginLibrary Dnnl { get; } = new(DnnlPlugin.Domain, "libsphereface_dnnl.so", "SPHEREFACE_DNNL_PLUGIN", DnnlPlugin.Configure,
        "or build the graph with standard ONNX convolutions (kernels = standard)");

    /// <summary>Every library, in registration order.</summary>
    public static IReadOnlyList<PluginLibrary> All { get; } = [Margin, Dnnl];

    private readonly Action<SessionOptions>? _configure;
    private readonly string _alternative;

    private PluginLibrary(string domain, string fileName, string pathVariable, Action<SessionOptions>? configure, string alternative)
    {
        Domain = domain;
        FileName = fileName;
        PathVariable = pathVariable;
        _configure = configure;
        _alternative = alternative;
    }

    /// <summary>Operator-set domain of the library's ops (version 1).</summary>
    public string Domain { get; }
    /// <summary>File name of the shared library.</summary>
    public string FileName { get; }
    /// <summary>Environment variable that may name the library explicitly (overrides the default location).</summary>
    public string PathVariable { get; }

    /// <summary>
    /// Full path of the library: <see cref="PathVariable"/> when set, else the file next to the application, else the
    /// file where NuGet puts a package's native assets for a portable application (runtimes/linux-x64/native/).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing; the message names the path looked at.</exception>
    public string Path
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable(PathVariable);
            if (!string.IsNullOrEmpty(fromEnv)) return CheckExists(System.IO.Path.GetFullPath(fromEnv));
            string beside = System.IO.Path.Combine(AppContext.BaseDirectory, FileName);
            string packaged = System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", FileName);
            return File.Exists(beside) || !File.Exists(packaged) ? CheckExists(beside) : packaged;
        }
    }

    /// <summary>
    /// True when the library file exists and the dynamic loader can load it with its dependencies (for
    /// <see cref="Dnnl"/>: Debian's libdnnl2); callers that can do without it check this first.
    /// </summary>
    public bool IsUsable => LoadProblem is null;

    /// <summary>
    /// Why the library cannot be loaded, in one line naming the missing file or system library (e.g. "needs libdnnl.so.2,
    /// which is not installed (Debian/Ubuntu: apt-get install libdnnl2)"); null when it loads.
    /// </summary>
    public string? LoadProblem
    {
        get
        {
            string path;
            try { path = Path; }
            catch (FileNotFoundException e) { return e.Message; }
            try
            {
                System.Runtime.InteropServices.NativeLibrary.Free(System.Runtime.InteropServices.NativeLibrary.Load(path));
                return null;
            }
            catch (DllNotFoundException e)
            {
                string name = System.IO.Path.GetFileNameWithoutExtension(FileName)[3..];
                return NativeDependency.Explain(name, e.Message, $"rebuild it with the Models project, {_alternative}");
            }
        }
    }

    /// <summary>Registers the library's ops on <paramref name="options"/> (library from <see cref="Path"/>).</summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    /// <exception cref="SphereFaceException">ONNX Runtime could not load it, e.g. a missing dependency (<see cref="SphereFaceErrorCode.PluginUnavailable"/>).</exception>
    public void Register(SessionOptions options) => Register(options, Path);

    /// <summary>Registers the library at <paramref name="libraryPath"/> on <paramref name="options"/>.</summary>
    /// <exception cref="FileNotFoundException">The library file is missing.</exception>
    /// <exception cref="SphereFaceException">ONNX Runtime could not load it, e.g. a missing dependency (<see cref="SphereFaceErrorCode.PluginUnavailable"/>).</exception>
    public void Register(SessionOptions options, string libraryPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckExists(libraryPath);
        _configure?.Invoke(options);
        try
        {
            options.RegisterCustomOpLibrary(libraryPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SphereFaceException(SphereFaceErrorCode.PluginUnavailable, $"Plugin library '{libraryPath}' could not be registered with ONNX Runtime: {e.Message}", e);
        }
    }

    /// <summary>The library whose ops form <paramref name="domain"/>.</summary>
    /// <exception cref="ArgumentException">No project library has that domain.</exception>
    public static PluginLibrary ForDomain(string domain) =>
        All.FirstOrDefault(l => l.Domain == domain)
        ?? throw new ArgumentException($"No plugin library provides operator domain '{domain}'; known: {string.Join(", ", All.Select(l => l.Domain))}.");

    /// <summary>The custom (non-ONNX) operator domains that <paramref name="model"/>'s nodes use, sorted.</summary>
    public static IReadOnlyList<string> CustomDomains(ModelProto model) =>
        model.Graph.Node.Select(n => n.Domain).Where(d => d.Length > 0 && d != "ai.onnx").Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The libraries <paramref name="model"/> needs, in registration order.</summary>
    /// <exception cref="ArgumentException">The model uses a custom domain no project library provides.</exception>
    public static IReadOnlyList<PluginLibrary> For(ModelProto model) =>
        For(CustomDomains(model));

    /// <summary>The libraries that provide <paramref name="domains"/>, in registration order.</summary>
    /// <exception cref="ArgumentException">A domain no project library provides.</exception>
    public static IReadOnlyList<PluginLibrary> For(IEnumerable<string> domains)
    {
        var needed = domains.Select(ForDomain).ToHashSet();
        return All.Where(needed.Contains).ToArray();
    }

    /// <summary>Registers every library <paramref name="model"/> needs on <paramref name="options"/>.</summary>
    public static void RegisterFor(SessionOptions options, ModelProto model)
    {
        foreach (var library in For(model)) library.Register(options);
    }

    /// <inheritdoc/>
    public override string ToString() => FileName;

    private string CheckExists(string path) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"Plugin library '{path}' not found. It is built with the Models project (needs cmake, g++ and libdnnl-dev) and copied " +
                $"next to the assemblies; set {PathVariable} to use another location, {_alternative}.", path);
}
