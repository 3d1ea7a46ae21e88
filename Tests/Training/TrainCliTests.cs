using static SphereFace.Tests.Support.CliRun;
using SphereFace.Cli;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;

namespace SphereFace.Tests.Training;

[TestClass]
public sealed class TrainCliTests
{

    [TestMethod]
    public void ExportOfATruncatedCheckpointIsOneClearLine()
    {
        using var temp = new TempDir();
        File.WriteAllBytes(temp.File("c.safetensors"), [1, 2, 3]);
        var (code, error) = Run("export", "--checkpoint", temp.File("c.safetensors"), "--out", temp.File("e.onnx"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "truncated");
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
        Assert.IsFalse(File.Exists(temp.File("e.onnx")));
    }

    [TestMethod]
    public void ExportOfAMissingCheckpointNamesIt()
    {
        using var temp = new TempDir();
        var (code, error) = Run("export", "--checkpoint", temp.File("none.safetensors"), "--out", temp.File("e.onnx"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "none.safetensors");
    }

    [TestMethod]
    [DataRow("--device", "cuda", "-p:UseCuda=true")]
    [DataRow("--data", "random:0", "random:0")]
    [DataRow("--data", "/no/such/folder", "/no/such/folder")]
    [DataRow("--loss", "arcface", "arcface")]
    [DataRow("--net", "sphere5", "sphere5")]
    [DataRow("--lr-steps", "20,10", "--lr-steps")]
    public void BadTrainArgumentsFailWithOneLine(string option, string value, string mentioned)
    {
        using var temp = new TempDir();
        var args = new List<string> { "train", "--net", "sphere4", "--classes", "3", "--data", "random:4", "--batch", "2", "--iterations", "1", "--out", temp.File("run") };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
        var (code, error) = Run([.. args]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, mentioned);
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
    }

    [TestMethod]
    public void TrainWritesCsvAndCheckpointThenResumesAndExports()
    {
        using var temp = new TempDir();
        string run = temp.File("run");
        var (code, error) = Run("train", "--net", "sphere4", "--embedding-size", "8", "--classes", "3", "--data", "random:4", "--batch", "2",
            "--iterations", "2", "--log-every", "1", "--checkpoint-every", "5", "--threads", "1", "--lr", "0.01", "--out", run);
        Assert.AreEqual(0, code, error);
        var csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.AreEqual("iteration,loss,accuracy,lr,lambda,images_per_s", csv[0]);
        CollectionAssert.AreEqual(new[] { "1", "2" }, csv.Skip(1).Select(l => l.Split(',')[0]).ToArray());
        var checkpoint = CheckpointFile.Load(Path.Combine(run, "checkpoint.safetensors"));
        Assert.AreEqual(2, checkpoint.Iteration);
        Assert.AreEqual("sphere4", checkpoint.Net);
        Assert.AreEqual("ASoftmax m=4", checkpoint.Loss);
        Assert.AreEqual(8, RunSpec.FromJson(checkpoint.ConfigJson, "c").Net.EmbeddingSize);

        // A fresh run into the same folder would overwrite the checkpoint: refused.
        (code, error) = Run("train", "--net", "sphere4", "--classes", "3", "--data", "random:4", "--batch", "2", "--iterations", "1", "--out", run);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--resume");

        (code, error) = Run("train", "--resume", Path.Combine(run, "checkpoint.safetensors"), "--iterations", "3", "--threads", "1");
        Assert.AreEqual(0, code, error);
        Assert.AreEqual(3, CheckpointFile.Load(Path.Combine(run, "checkpoint.safetensors")).Iteration);
        CollectionAssert.AreEqual(new[] { "1", "2", "3" }, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(',')[0]).ToArray());

        (code, error) = Run("export", "--checkpoint", Path.Combine(run, "checkpoint.safetensors"), "--out", temp.File("e.onnx"));
        Assert.AreEqual(0, code, error);
        Assert.IsTrue(File.Exists(temp.File("e.onnx")));
    }

    [TestMethod]
    public void ResumeFromATruncatedCheckpointIsOneClearLine()
    {
        using var temp = new TempDir();
        File.WriteAllBytes(temp.File("c.safetensors"), new byte[100]);
        var (code, error) = Run("train", "--resume", temp.File("c.safetensors"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "c.safetensors");
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
    }
}
