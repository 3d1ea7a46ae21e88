using System.Diagnostics;
using SphereFace.Models.Native;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Reliability;

/// <summary>
/// The command line run as a child process from a copy of this test's output folder with one native library hidden
/// (deleted from the copy, or replaced by a library whose own dependency is missing): the Embedder's construction
/// reports it in one line naming what to add, exit code 2, instead of a loader trace inside the first call.
/// </summary>
[TestClass]
public sealed class MissingNativeLibraryTests
{
    private static readonly Lazy<string> Faces = new(() => AlignedFolder(new TempDir(), 1));

    [TestMethod]
    public void MissingOnnxRuntimeNamesItsPackage()
    {
        var (code, error) = EmbedWithout(hide: ["libonnxruntime.so"]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "libonnxruntime.so was not found");
        StringAssert.Contains(error, "Microsoft.ML.OnnxRuntime 1.31.1");
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
    }

    [TestMethod]
    public void MissingOpenCvNamesItsPackage()
    {
        var (code, error) = EmbedWithout(hide: ["libOpenCvSharpExtern.so"]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "OpenCvSharp4.official.runtime.linux-x64");
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
    }

    [TestMethod]
    public void OpenCvWithAMissingSystemLibraryNamesThatLibrary()
    {
        using var dir = new TempDir();
        string stub = StubNeedingMissingLibrary(dir, "libOpenCvSharpExtern.so");
        var (code, error) = EmbedWithout(hide: ["libOpenCvSharpExtern.so"], replace: ("libOpenCvSharpExtern.so", stub));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, $"libOpenCvSharpExtern.so was found but needs {AbsentLibrary}, which is not installed");
    }

    [TestMethod]
    public void ExplicitOneDnnKernelsWithoutOneDnnAreAnErrorAndAutoFallsBack()
    {
        using var dir = new TempDir();
        string stub = StubNeedingMissingLibrary(dir, "libsphereface_dnnl.so");
        var env = new Dictionary<string, string> { [PluginLibrary.Dnnl.PathVariable] = stub };
        var (code, error) = EmbedWithout(hide: [], environment: env, extra: ["--kernels", "onednn"]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, $"needs {AbsentLibrary}, which is not installed");
        StringAssert.Contains(error, "onednn kernels were asked for");

        (code, error) = EmbedWithout(hide: [], environment: env, extra: ["--kernels", "auto"]);
        Assert.AreEqual(0, code, error);
    }

    [TestMethod]
    public void LoaderReportsBecomeOneLine()
    {
        // The .NET loader's report when a library's dependency is missing (every path it tried, one per line).
        string report = "Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies.\n" +
                        "/app/runtimes/linux-x64/native/libOpenCvSharpExtern.so: cannot open shared object file: No such file or directory\n" +
                        "libgtk-3.so.0: cannot open shared object file: No such file or directory\n" +
                        "/app/OpenCvSharpExtern.so: cannot open shared object file: No such file or directory";
        Assert.AreEqual("libOpenCvSharpExtern.so was found but needs libgtk-3.so.0, which is not installed (Debian/Ubuntu: apt-get install libgtk-3-0).",
            NativeDependency.Explain("OpenCvSharpExtern", report, "add it"));
        string absent = "Unable to load shared library 'onnxruntime' or one of its dependencies.\n" +
                        "/app/libonnxruntime.so: cannot open shared object file: No such file or directory\n" +
                        "onnxruntime.so: cannot open shared object file: No such file or directory";
        StringAssert.StartsWith(NativeDependency.Explain("onnxruntime", absent, "add the package"), "libonnxruntime.so was not found");
    }

    private const string AbsentLibrary = "libsphereface-absent-dependency.so.1";

    // A shared library named like the real one whose only dependency does not exist anywhere on the library path.
    private static string StubNeedingMissingLibrary(TempDir dir, string name)
    {
        string source = dir.File("stub.c");
        File.WriteAllText(source, "int sphereface_stub(void) { return 0; }\n");
        Run("gcc", ["-shared", "-fPIC", "-o", dir.File(AbsentLibrary), $"-Wl,-soname,{AbsentLibrary}", source], null);
        Run("gcc", ["-shared", "-fPIC", "-o", dir.File(name), source, "-Wl,--no-as-needed", dir.File(AbsentLibrary)], null);
        File.Delete(dir.File(AbsentLibrary));
        return dir.File(name);
    }

    // `sphereface embed` from a hard-linked copy of the test output without the hidden libraries; exit code and stderr.
    private static (int Code, string Error) EmbedWithout(string[] hide, (string Name, string Path)? replace = null,
        Dictionary<string, string>? environment = null, string[]? extra = null)
    {
        string output = AppContext.BaseDirectory.TrimEnd('/');
        string copy = $"{output}-without-{Guid.NewGuid():N}";
        try
        {
            Run("cp", ["-al", output, copy], null);
            foreach (string file in Directory.EnumerateFiles(copy, "*.so*", SearchOption.AllDirectories).ToList())
            {
                if (!hide.Contains(Path.GetFileName(file))) continue;
                File.Delete(file);
                // Where the application looks for it (the deps.json path), a stand-in whose own dependency is missing.
                if (replace is { } r && r.Name == Path.GetFileName(file)) File.Copy(r.Path, file);
            }
            using var outDir = new TempDir();
            string[] args = [Path.Combine(copy, "sphereface.dll"), "embed", "--model", ModelPath, "--data", Faces.Value,
                "--out", outDir.File("e.npy"), "--threads", "1", .. extra ?? []];
            var (code, _, error) = Run("dotnet", args, environment, check: false);
            return (code, error);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static (int Code, string Output, string Error) Run(string program, string[] args, Dictionary<string, string>? environment, bool check = true)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? []) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr}");
        return (process.ExitCode, stdout.Result, stderr);
    }
}
