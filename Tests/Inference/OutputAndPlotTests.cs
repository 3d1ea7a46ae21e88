using System.Globalization;
using SphereFace.Inference.Evaluation;
using SphereFace.Inference.Output;
using SphereFace.Reporting.Plots;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Inference;

/// <summary>.npy files read back by numpy, PNG plots rendered headlessly, training-log parsing.</summary>
[TestClass]
public sealed class OutputAndPlotTests
{
    [TestMethod]
    public void NpyMatrixIsReadByNumpy()
    {
        using var dir = new TempDir();
        var data = Enumerable.Range(0, 3 * 5).Select(i => (float)Math.Sin(i) * 1e3f).ToArray();
        string path = dir.File("m.npy");
        NpyFile.WriteMatrix(path, data, 3, 5);
        string printed = Python.Run("import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape); print(' '.join(repr(float(v)) for v in a.ravel()))", path);
        var lines = printed.Trim().Split('\n');
        Assert.AreEqual("float32 (3, 5)", lines[0].Trim());
        var values = lines[1].Split(' ').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        CollectionAssert.AreEqual(data, values);

        var (back, rows, cols) = NpyFile.ReadMatrix(path);
        Assert.AreEqual((3, 5), (rows, cols));
        CollectionAssert.AreEqual(data, back);
    }

    [TestMethod]
    public void NpyWrittenByNumpyIsReadAndTruncatedFileRejected()
    {
        using var dir = new TempDir();
        string path = dir.File("n.npy");
        Python.Run("import numpy as np, sys; np.save(sys.argv[1], (np.arange(12, dtype=np.float32).reshape(4, 3) / 7))", path);
        var (data, rows, cols) = NpyFile.ReadMatrix(path);
        Assert.AreEqual((4, 3), (rows, cols));
        for (int i = 0; i < 12; i++) Assert.AreEqual((float)(i / 7.0), data[i], 1e-7f);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => NpyFile.ReadMatrix(path));
        StringAssert.Contains(e.Message, path);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, b[..4], $"{path} is not a PNG");
        int Be(int o) => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
        return (Be(16), Be(20));
    }

    [TestMethod]
    public void PlotsRenderToPng()
    {
        using var dir = new TempDir();
        var rng = new Random(1);
        var scores = Enumerable.Range(0, 400).Select(i => (float)(rng.NextDouble() + (i % 2 == 0 ? 0.4 : 0))).ToArray();
        var same = Enumerable.Range(0, 400).Select(i => i % 2 == 0).ToArray();
        RocPlot.Save(RocCurve.FromScores(scores, same), dir.File("roc.png"), "roc");
        var angles = AngleHistogramPlot.ToDegrees(scores.Select(s => s - 0.7f));
        AngleHistogramPlot.Save(angles.Where((_, i) => same[i]).ToList(), angles.Where((_, i) => !same[i]).ToList(), dir.File("angles.png"), "angles");
        File.WriteAllText(dir.File("run.csv"), "iteration,loss,accuracy,lr,lambda,images_per_s\n0,9.2,0.001,0.1,1000,50\n100,7.5,0.05,0.1,500,52\n200,nan,0.09,0.1,300,51\n300,5.1,0.2,0.01,100,53\n");
        var log = TrainingLog.Read(dir.File("run.csv"));
        Assert.AreEqual(4, log.Rows);
        Assert.IsTrue(double.IsNaN(log["loss"][2]));
        Assert.AreEqual(0.01, log["lr"][3]);
        TrainingCurvesPlot.Save(log, dir.File("curves.png"), "training");
        foreach (var f in new[] { "roc.png", "angles.png", "curves.png" })
            Assert.AreEqual((900, 600), PngSize(dir.File(f)), f);
        Assert.AreEqual(90.0, AngleHistogramPlot.ToDegrees([0f])[0], 1e-9);
    }

    [TestMethod]
    [DataRow("iteration,loss\n1,2\n", "accuracy")]
    [DataRow("iteration,loss,accuracy\n1,2\n", ":2")]
    [DataRow("iteration,loss,accuracy\n1,x,3\n", "'x'")]
    [DataRow("iteration,loss,accuracy\n", "no data rows")]
    public void BadTrainingLogsNameTheProblem(string content, string mentioned)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.csv"), content);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TrainingLog.Read(dir.File("bad.csv")));
        StringAssert.Contains(e.Message, mentioned);
        StringAssert.Contains(e.Message, "bad.csv");
    }
}
