using OpenCvSharp;
using SphereFace.Inference.Output;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>
/// <c>embed</c> and <c>eval</c> on a folder holding a zero-byte and a corrupt image: both are skipped with a warning
/// naming them and a count, the results cover the other images, and <c>--strict</c> makes the first one a one-line
/// error (before, a stack trace of an unhandled AggregateException with exit code 1).
/// </summary>
[TestClass]
public sealed class UnusableImageTests
{
    private static string FolderWithBadImages(TempDir dir)
    {
        string root = AlignedFolder(dir, imagesPerIdentity: 3);
        File.WriteAllBytes(Path.Combine(root, "p0", "p0_0009.png"), []);
        File.WriteAllBytes(Path.Combine(root, "p1", "p1_0009.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        return root;
    }

    [TestMethod]
    public void EmbedSkipsAndCountsUnusableImages()
    {
        using var dir = new TempDir();
        string root = FolderWithBadImages(dir), npy = dir.File("out.npy");
        var (code, output, error) = CliRun.RunCapturing("embed", "--model", ModelPath, "--data", root, "--out", npy, "--batch", "4");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(error, "p0_0009.png");
        StringAssert.Contains(error, "p1_0009.jpg");
        StringAssert.Contains(error, "skipped 2 of 11 images");
        StringAssert.Contains(output, "2 unusable images skipped");
        var paths = File.ReadAllLines(Path.ChangeExtension(npy, ".txt"));
        Assert.HasCount(9, paths);
        Assert.IsFalse(paths.Any(p => p.Contains("_0009")), "skipped images are not in the path list");
        var (_, rows, _) = NpyFile.ReadMatrix(npy);
        Assert.AreEqual(9, rows);
    }

    [TestMethod]
    public void StrictMakesTheFirstUnusableImageAOneLineError()
    {
        using var dir = new TempDir();
        string root = FolderWithBadImages(dir);
        var (code, error) = CliRun.Run("embed", "--model", ModelPath, "--data", root, "--out", dir.File("o.npy"), "--strict");
        Assert.AreEqual(2, code);
        StringAssert.StartsWith(error, "sphereface: error: Image '");
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
        Assert.IsFalse(File.Exists(dir.File("o.npy")));
    }

    [TestMethod]
    public void EvalSkipsUnusableImagesToo()
    {
        using var dir = new TempDir();
        string root = FolderWithBadImages(dir);
        var (code, error) = CliRun.Run("eval", "--model", ModelPath, "--protocol", "fisher", "--data", root, "--out", dir.File("f.json"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(error, "skipped 2 of 11 images");
        Assert.IsTrue(File.Exists(dir.File("f.json")));
    }

    [TestMethod]
    public void AFolderGivenAsTheModelIsNamedAsAFolder()
    {
        using var dir = new TempDir();
        File.Copy(ModelPath, dir.File("embedding.onnx"));
        var (code, error) = CliRun.Run("embed", "--model", dir.Path, "--data", dir.Path, "--out", dir.File("o.npy"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "is a folder");
        StringAssert.Contains(error, "embedding.onnx");
    }
}
