using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Reliability;

/// <summary>
/// Inputs a hostile or careless user gives: an output path that is an input (directly or through a link), and counts
/// that would exhaust memory before any work began. Each is one error line naming the flag, exit code 2, and the input
/// left as it was.
/// </summary>
[TestClass]
public sealed class HostileInputTests
{
    private static void RefusedInOneLine((int Code, string Error) run, string mentioned)
    {
        Assert.AreEqual(2, run.Code, run.Error);
        StringAssert.Contains(run.Error, mentioned);
        Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
    }

    [TestMethod]
    public void AnOutputThatIsAnInputIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir, imagesPerIdentity: 2);
        string list = dir.File("L.txt");
        File.WriteAllLines(list, Directory.GetFiles(root, "*.png", SearchOption.AllDirectories));
        byte[] listBytes = File.ReadAllBytes(list);
        // embed writes its path list beside the .npy: L.npy would replace the input list L.txt.
        RefusedInOneLine(CliRun.Run("embed", "--model", ModelPath, "--data", list, "--out", dir.File("L.npy")), "--data");
        CollectionAssert.AreEqual(listBytes, File.ReadAllBytes(list));
        Assert.IsFalse(File.Exists(dir.File("L.npy")));

        string model = dir.File("m.onnx");
        File.Copy(ModelPath, model);
        byte[] modelBytes = File.ReadAllBytes(model);
        RefusedInOneLine(CliRun.Run("eval", "--model", model, "--protocol", "fisher", "--data", root, "--out", model), "--model");
        File.CreateSymbolicLink(dir.File("link.onnx"), model);
        RefusedInOneLine(CliRun.Run("quantize", "--model", model, "--data", root, "--out", dir.File("link.onnx")), "--model");
        CollectionAssert.AreEqual(modelBytes, File.ReadAllBytes(model));

        string csv = dir.File("metrics.csv");
        File.WriteAllText(csv, "iteration,loss,accuracy,lr,lambda,images_per_s\n1,2,0.5,0.1,0,10\n");
        RefusedInOneLine(CliRun.Run("plot", "--log", csv, "--out", csv), "--log");
        StringAssert.StartsWith(File.ReadAllText(csv), "iteration,");

        string checkpoint = dir.File("c.safetensors");
        File.WriteAllBytes(checkpoint, [1, 2, 3]);
        RefusedInOneLine(CliRun.Run("export", "--checkpoint", checkpoint, "--out", Path.Combine(dir.Path, ".", "c.safetensors")), "--checkpoint");
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(checkpoint));
    }

    [TestMethod]
    public void AKeyGivenTwiceIsRefusedNamingTheFile()
    {
        using var dir = new TempDir();
        string config = dir.File("twice.json");
        File.WriteAllText(config, """{"version": 1, "batch": 4, "batch": 8}""");
        var (code, error) = CliRun.Run("train", "--config", config, "--data", "random:4", "--classes", "3", "--iterations", "1", "--out", dir.File("run"));
        RefusedInOneLine((code, error), "twice.json");
        StringAssert.Contains(error, "batch");

        // A safetensors header naming one tensor twice: which bytes would be read is undefined, so neither is.
        string st = dir.File("twice.safetensors");
        byte[] header = """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"""u8.ToArray();
        File.WriteAllBytes(st, [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0, 0, 128, 63]);
        var message = Assert.ThrowsExactly<InvalidDataException>(() => SphereFace.Graphs.IO.SafeTensors.Read(st)).Message;
        StringAssert.Contains(message, "twice.safetensors");
    }

    [TestMethod]
    [DataRow("embed", "--threads", "100000")]
    [DataRow("detect", "--threads", "100000")]
    [DataRow("train", "--threads", "100000")]
    [DataRow("train", "--workers", "100000")]
    [DataRow("train", "--embedding-size", "100000000")]
    [DataRow("build-graph", "--embedding-size", "100000000")]
    [DataRow("synth", "--identities", "100000000")]
    [DataRow("synth", "--threads", "100000")]
    [DataRow("eval", "--trials", "100000000")]
    public void CountsThatWouldExhaustMemoryAreRefused(string verb, string flag, string value)
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir, imagesPerIdentity: 2);
        string[] args = verb switch
        {
            "embed" => ["embed", "--model", ModelPath, "--data", root, "--out", dir.File("o.npy")],
            "detect" => ["detect", "--data", root, "--out", dir.File("faces.json")],
            "train" => ["train", "--net", "sphere4", "--classes", "3", "--data", "random:4", "--batch", "2", "--iterations", "1", "--out", dir.File("run")],
            "build-graph" => ["build-graph", "--net", "sphere4", "--classes", "3", "--out", dir.File("graph")],
            "synth" => ["synth", "--out", dir.File("set")],
            _ => ["eval", "--model", ModelPath, "--protocol", "blufr", "--data", root, "--out", dir.File("b.json")],
        };
        long before = Environment.WorkingSet;
        var (code, error) = CliRun.Run([.. args, flag, value]);
        RefusedInOneLine((code, error), value);
        // The flag as typed, or the spec field it sets (train's --threads is machine.threads).
        Assert.IsTrue(error.Contains(flag, StringComparison.Ordinal) || error.Contains(flag.TrimStart('-').Replace('-', '_'), StringComparison.Ordinal), error);
        Assert.IsTrue(error.Contains(value, StringComparison.Ordinal), error);
        Assert.IsLessThan(500L << 20, Environment.WorkingSet - before, "memory grew by more than 500 MB before the refusal");
        Assert.IsFalse(Directory.Exists(dir.File("run")) || Directory.Exists(dir.File("graph")) || Directory.Exists(dir.File("set")), "nothing written");
    }
}
