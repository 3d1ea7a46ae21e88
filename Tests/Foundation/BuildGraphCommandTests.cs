using static SphereFace.Tests.Support.CliRun;
using SphereFace.Cli;
using SphereFace.Graphs.Export;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Foundation;

[TestClass]
public sealed class BuildGraphCommandTests
{

    [TestMethod]
    public void WritesEmbeddingAndManifest()
    {
        using var dir = new TempDir();
        string outDir = dir.File("g");
        var (code, error) = Run("build-graph", "--net", "sphere4", "--classes", "10", "--out", outDir);
        Assert.AreEqual(0, code, error);
        var manifest = Manifest.Load(Path.Combine(outDir, Manifest.FileName));
        Assert.AreEqual("sphere4", manifest.Net);
        Assert.AreEqual(10, manifest.Classes);
        Assert.AreEqual("embedding.onnx", manifest.Files["embedding"]);
        Assert.IsTrue(new FileInfo(Path.Combine(outDir, "embedding.onnx")).Length > manifest.BackboneParameters * 4);
    }

    [TestMethod]
    [DataRow("--net", "sphere5", "sphere5")]
    [DataRow("--classes", "1", "--classes")]
    public void BadArgumentsFailClearlyAndWriteNothing(string option, string value, string mentioned)
    {
        using var dir = new TempDir();
        string outDir = dir.File("g");
        var args = new List<string> { "build-graph", "--net", "sphere4", "--classes", "10", "--out", outDir };
        args[args.IndexOf(option) + 1] = value;
        var (code, error) = Run([.. args]);
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(error, mentioned);
        Assert.IsFalse(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any(), "files were left behind");
    }

    [TestMethod]
    public void UnwritableOutputFolderFailsClearly()
    {
        using var dir = new TempDir();
        string blocker = dir.File("file");
        File.WriteAllText(blocker, "x");
        var (code, error) = Run("build-graph", "--net", "sphere4", "--classes", "10", "--out", Path.Combine(blocker, "sub"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "not writable");
    }
}
