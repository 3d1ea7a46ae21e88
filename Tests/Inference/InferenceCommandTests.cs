using OpenCvSharp;
using SphereFace.Cli;
using SphereFace.Inference;
using SphereFace.Inference.Output;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>The embed and eval verbs end to end on a few aligned faces.</summary>
[TestClass]
public sealed class InferenceCommandTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try { return (CliApp.Run(args), err.ToString()); }
        finally { Console.SetError(previous); }
    }

    private static string AlignedFolder(TempDir dir)
    {
        string root = dir.File("faces");
        for (int id = 0; id < 3; id++)
        {
            Directory.CreateDirectory(Path.Combine(root, $"p{id}"));
            for (int k = 0; k < 2; k++)
            {
                using var img = RandomImage(96, 112, 10 * id + k);
                Cv2.ImWrite(Path.Combine(root, $"p{id}", $"p{id}_{k + 1:D4}.png"), img);
            }
        }
        return root;
    }

    [TestMethod]
    public void EmbedWritesNumpyMatrixAndPathList()
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir);
        string npy = dir.File("out.npy");
        var (code, error) = Run("embed", "--model", ModelPath, "--images", root, "--out", npy, "--batch", "4");
        Assert.AreEqual(0, code, error);
        var paths = File.ReadAllLines(Path.ChangeExtension(npy, ".txt"));
        Assert.HasCount(6, paths);
        var shape = Python.Run("import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape[0], a.shape[1], a.dtype)", npy).Trim();
        Assert.AreEqual("6 512 float32", shape);
        // Row 3 equals the library call on the same file.
        var (data, _, _) = NpyFile.ReadMatrix(npy);
        using var embedder = new Embedder(ModelPath);
        using var face = Cv2.ImRead(paths[3]);
        var expected = embedder.EmbedAligned(face);
        for (int j = 0; j < 512; j++) Assert.AreEqual(expected[j], data[3 * 512 + j], 1e-6f);
    }

    [TestMethod]
    public void EvalFisherWritesJsonNextToTheModelCopy()
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir);
        string json = dir.File("fisher.json");
        var (code, error) = Run("eval", "--model", ModelPath, "--protocol", "fisher", "--images", root, "--out", json);
        Assert.AreEqual(0, code, error);
        var report = SphereFace.Inference.Evaluation.EvaluationReport.Load(json);
        Assert.AreEqual("fisher", report.Protocol);
        Assert.IsTrue(report.Metrics.First(m => m.Name == "angular_fisher_score").Value > 0);
    }

    [TestMethod]
    [DataRow("--protocol", "xyz", "xyz")]
    [DataRow("--protocol", "lfw", "--pairs")]
    [DataRow("--model", "/nonexistent/m.onnx", "/nonexistent/m.onnx")]
    public void EvalBadArgumentsFailWithOneLine(string option, string value, string mentioned)
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir);
        var args = new Dictionary<string, string> { ["--model"] = ModelPath, ["--protocol"] = "fisher", ["--images"] = root };
        args[option] = value;
        var (code, error) = Run(["eval", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, mentioned);
        Assert.IsFalse(error.Contains("   at "), "no stack trace");
    }

    [TestMethod]
    public void EmbedRejectsWrongSizedImagesWithoutLandmarks()
    {
        using var dir = new TempDir();
        string root = dir.File("big");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        using (var img = RandomImage(250, 250, 1)) Cv2.ImWrite(Path.Combine(root, "a", "a_0001.png"), img);
        var (code, error) = Run("embed", "--model", ModelPath, "--images", root, "--out", dir.File("o.npy"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "a_0001.png");
        StringAssert.Contains(error, "landmarks");
    }
}
