using SphereFace.Alignment;
using SphereFace.Models.Errors;
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

    [TestMethod]
    public void OverflowingCountsAndValuesAreBadInputNotBugs()
    {
        using var dir = new TempDir();
        string root = AlignedFolder(dir, imagesPerIdentity: 2);
        // A pairs header promising 2^31 − 1 folds: refused by the lines actually there, nothing sized from it.
        File.WriteAllText(dir.File("pairs.txt"), "2147483647 1\np0 1 2\n");
        RefusedInOneLine(CliRun.Run("eval", "--model", ModelPath, "--protocol", "lfw", "--data", root, "--pairs", dir.File("pairs.txt")), "pairs.txt");
        File.WriteAllText(dir.File("pairs2.txt"), "1 2147483647\np0 1 2\n");
        RefusedInOneLine(CliRun.Run("eval", "--model", ModelPath, "--protocol", "lfw", "--data", root, "--pairs", dir.File("pairs2.txt")), "pairs2.txt");
        // A training log with values no float32 run writes (they overflowed the plot's axis before).
        File.WriteAllText(dir.File("m.csv"), "iteration,loss,accuracy,lr,lambda,images_per_s\n1,1e308,0.5,0.1,0,10\n2,-1e308,0.6,0.1,0,10\n");
        RefusedInOneLine(CliRun.Run("plot", "--log", dir.File("m.csv"), "--out", dir.File("m.png")), "m.csv");
        Assert.IsFalse(File.Exists(dir.File("m.png")));
    }

    [TestMethod]
    public void TruncatedJpegsAndHugeImagesAreRefusedBeforeDecoding()
    {
        using var dir = new TempDir();
        using (var photo = RandomImage(96, 112, 5)) File.WriteAllBytes(dir.File("whole.jpg"), photo.ImEncode(".jpg"));
        byte[] whole = File.ReadAllBytes(dir.File("whole.jpg"));
        using (PhotoReader.Decode(whole, "whole.jpg")) { }
        // Data after the end marker (as a motion photo carries its video) is not truncation.
        using (PhotoReader.Decode([.. whole, .. Enumerable.Repeat((byte)0xDA, 100), 0xFF, 0xDA, 1, 2], "trailer.jpg")) { }
        var cut = Assert.ThrowsExactly<FaceInputException>(() => PhotoReader.Decode(whole[..(whole.Length * 2 / 3)], "cut.jpg"));
        Assert.AreEqual(FaceInputError.Undecodable, cut.Reason);
        StringAssert.Contains(cut.Message, "truncated JPEG");

        // embed --strict: the truncated photo is an error naming it (it decoded, half grey, before).
        Directory.CreateDirectory(dir.File("faces/p0"));
        File.WriteAllBytes(dir.File("faces/p0/a.jpg"), whole);
        File.WriteAllBytes(dir.File("faces/p0/b.jpg"), whole[..(whole.Length * 2 / 3)]);
        RefusedInOneLine(CliRun.Run("embed", "--model", ModelPath, "--data", dir.File("faces"), "--out", dir.File("e.npy"), "--strict"), "b.jpg");

        // A 388-byte PNG declaring 20000 × 20000: refused from its header by embed, detect and training alike.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20, 8, 2, 0, 0, 0, 0, 0, 0, 0];
        Directory.CreateDirectory(dir.File("huge/p0"));
        File.WriteAllBytes(dir.File("huge/p0/big.png"), png);
        RefusedInOneLine(CliRun.Run("embed", "--model", ModelPath, "--data", dir.File("huge"), "--out", dir.File("h.npy"), "--strict"), "above the limit");
    }

    [TestMethod]
    public void ANameThatIsNotUtf8IsExplained()
    {
        using var dir = new TempDir();
        // Create the file through the C library, with a Latin-1 byte in its name.
        string folder = dir.Path;
        using (var sh = System.Diagnostics.Process.Start("sh", ["-c", $"cp \"$0\" \"$1/$(printf 'caf\\351.png')\"", Path.Combine(AlignedFolder(dir, 1), "p0", "p0_0001.png"), folder]))
            sh.WaitForExit();
        string shown = Directory.EnumerateFiles(folder, "caf*.png").Single();
        StringAssert.Contains(shown, "\uFFFD");
        var (code, error) = CliRun.Run("detect", "--data", shown, "--out", dir.File("f.json"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "not UTF-8");
    }
}
