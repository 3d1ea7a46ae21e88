using static SphereFace.Tests.Support.CliRun;
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

    private static string AlignedFolder(TempDir dir) => EmbedderFixture.AlignedFolder(dir, imagesPerIdentity: 2);

    [TestMethod]
    public void EmbedWritesNumpyMatrixAndPathList()
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir);
        string npy = dir.File("out.npy");
        var (code, error) = Run("embed", "--model", ModelPath, "--data", root, "--out", npy, "--batch", "4");
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
        var (code, error) = Run("eval", "--model", ModelPath, "--protocol", "fisher", "--data", root, "--out", json);
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
        var args = new Dictionary<string, string> { ["--model"] = ModelPath, ["--protocol"] = "fisher", ["--data"] = root };
        args[option] = value;
        var (code, error) = Run(["eval", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, mentioned);
        Assert.IsFalse(error.Contains("   at "), "no stack trace");
    }

    [TestMethod]
    public void EmbedOfPhotosWithoutAnyFaceNamesThemAndTheLandmarksOption()
    {
        using var dir = new TempDir();
        string root = dir.File("big");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        using (var img = RandomImage(250, 250, 1)) Cv2.ImWrite(Path.Combine(root, "a", "a_0001.png"), img);
        var (code, error) = Run("embed", "--model", ModelPath, "--data", root, "--out", dir.File("o.npy"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "a_0001.png");
        StringAssert.Contains(error, "landmarks");
    }
}

/// <summary>eval --protocol lfw on a small synthetic set with an LFW-format pairs file.</summary>
[TestClass]
public sealed class LfwEvalCommandTests
{
    [TestMethod]
    public void LfwEvalMatchesLibraryProtocolOnThePairsImages()
    {
        using var dir = new TempDir();
        string set = dir.File("synth");
        SphereFace.Training.Data.Synthetic.SyntheticFaceSet.Generate(set, new SphereFace.Training.Data.Synthetic.SyntheticFaceSetOptions
        {
            Identities = 24, TestFraction = 0.84, MaxImagesPerIdentity = 4, MinImagesPerIdentity = 4, TestImagesPerIdentity = 3,
            ImageSize = 112, PairsPerFold = 2, Threads = 2,
        });
        string images = Path.Combine(set, "images"), pairsFile = Path.Combine(set, "pairs.txt"), marks = Path.Combine(set, "landmarks.txt");
        string json = dir.File("lfw.json");
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        int code;
        try { code = CliApp.Run(["eval", "--model", ModelPath, "--protocol", "lfw", "--data", images, "--pairs", pairsFile, "--landmarks", marks, "--out", json]); }
        finally { Console.SetError(previous); }
        Assert.AreEqual(0, code, err.ToString());
        var report = SphereFace.Inference.Evaluation.EvaluationReport.Load(json);
        Assert.AreEqual(40.0, report.Metrics.First(m => m.Name == "pairs").Value);
        Assert.IsTrue(File.Exists(dir.File("lfw-roc.png")) && File.Exists(dir.File("lfw-angles.png")));

        // Independent path: parse pairs.txt here, embed each named photo with the library, run the protocol.
        var lines = File.ReadAllLines(pairsFile).Where(l => l.Trim().Length > 0).ToArray();
        var header = lines[0].Split('\t', ' ');
        int perFold = int.Parse(header[^1]);
        var landmarkRows = File.ReadAllLines(marks).Select(l => l.Split(' ')).ToDictionary(f => f[0], f => Enumerable.Range(0, 5).Select(i => new Point2f(float.Parse(f[1 + 2 * i], System.Globalization.CultureInfo.InvariantCulture), float.Parse(f[2 + 2 * i], System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        using var embedder = new Embedder(ModelPath);
        var rows = new List<float[]>();
        var pairs = new List<SphereFace.Inference.Evaluation.VerificationPair>();
        int Row(string name, string number)
        {
            string rel = $"{name}/{name}_{int.Parse(number):D4}.png";
            using var photo = Cv2.ImRead(Path.Combine(images, rel));
            rows.Add(embedder.Embed(photo, landmarkRows[rel]));
            return rows.Count - 1;
        }
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t', ' ');
            int fold = (i - 1) / (2 * perFold);
            pairs.Add(f.Length == 3
                ? new(Row(f[0], f[1]), Row(f[0], f[2]), true, fold)
                : new(Row(f[0], f[1]), Row(f[2], f[3]), false, fold));
        }
        var expected = SphereFace.Inference.Evaluation.LfwVerification.Evaluate(SphereFace.Inference.Evaluation.EmbeddingMatrix.FromRows(rows), pairs);
        Assert.AreEqual(expected.Accuracy.Mean, report.Metrics.First(m => m.Name == "accuracy").Value!.Value, 1e-9);
        Assert.AreEqual(expected.Roc.Auc, report.Metrics.First(m => m.Name == "auc").Value!.Value, 1e-9);
    }
}
