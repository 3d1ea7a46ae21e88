using SphereFace.Graphs.IO;
using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;

namespace SphereFace.Tests.Training;

/// <summary>
/// Regression tests of the defects a reliability review found in <c>train</c>, <c>export</c> and <c>--resume</c>:
/// each asserts the clear behaviour that replaced the silent or crashing one.
/// </summary>
[TestClass]
public sealed class TrainReliabilityTests
{
    private static readonly string[] Small = ["--net", "sphere4", "--embedding-size", "16", "--loss", "softmax", "--data", "random:12", "--classes", "3",
        "--batch", "4", "--lr-steps", "", "--threads", "1", "--log-every", "1"];

    private static void Train(string folder, int iterations, params string[] extra)
    {
        var (code, error) = CliRun.Run(["train", .. Small, "--lr", "0.01", "--iterations", $"{iterations}", "--out", folder, .. extra]);
        Assert.AreEqual(0, code, error);
    }

    [TestMethod]
    public void ADivergedRunStopsWithExitCode3AndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDir();
        var (code, error) = CliRun.Run(["train", .. Small, "--lr", "100", "--iterations", "20", "--checkpoint-every", "1", "--out", dir.File("run")]);
        Assert.AreEqual(3, code, error);
        StringAssert.Contains(error, "training diverged: the loss of iteration");
        StringAssert.Contains(error, "is kept");
        var checkpoint = CheckpointFile.Load(dir.File("run/checkpoint.safetensors"));   // Load refuses non-finite values
        Assert.IsLessThan(20, checkpoint.Iteration);
        StringAssert.Contains(File.ReadAllText(dir.File("run/train.log")), "training diverged");
        Assert.IsFalse(File.ReadAllLines(dir.File("run/metrics.csv")).Skip(1).Any(l => l.Split(',')[1] is "NaN" or "nan"), "no NaN row was logged");
    }

    [TestMethod]
    public void CorruptOrNonFiniteCheckpointsAreRefusedByResumeAndExportNamingTheTensor()
    {
        using var dir = new TempDir();
        Train(dir.File("run"), 2);
        string path = dir.File("run/checkpoint.safetensors");
        var good = CheckpointFile.Load(path);

        // One flipped bit in the tensor data.
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x10;
        File.WriteAllBytes(dir.File("flipped.safetensors"), bytes);
        foreach (var args in new[] { new[] { "export", "--checkpoint", dir.File("flipped.safetensors"), "--out", dir.File("e.onnx") },
                     ["train", "--resume", dir.File("flipped.safetensors"), "--iterations", "3"] })
        {
            var (code, error) = CliRun.Run(args);
            Assert.AreEqual(2, code, error);
            StringAssert.Contains(error, "does not match its checksum");
            StringAssert.Contains(error, $"'{good.Tensors[^1].Name}'");
        }

        // NaN written with valid checksums (as a diverged run of an older version did).
        var tensors = good.Tensors.Select((t, i) => i == 0 ? t with { Data = t.Data.Select((v, j) => j == 7 ? float.NaN : v).ToArray() } : t).ToList();
        CheckpointFile.Save(dir.File("nan.safetensors"), new Checkpoint
        {
            Iteration = good.Iteration, Net = good.Net, Loss = good.Loss, SampleOrder = good.SampleOrder, ConfigJson = good.ConfigJson,
            Tensors = tensors, Kinds = good.Kinds,
        });
        var (c2, e2) = CliRun.Run("export", "--checkpoint", dir.File("nan.safetensors"), "--out", dir.File("e.onnx"));
        Assert.AreEqual(2, c2, e2);
        StringAssert.Contains(e2, $"tensor '{good.Tensors[0].Name}' holds NaN at index 7");
        Assert.IsFalse(File.Exists(dir.File("e.onnx")));
    }

    /// <summary>The checkpoint at <paramref name="path"/> with its safetensors header edited (data bytes unchanged).</summary>
    private static string EditedHeader(string path, string output, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        var header = System.Text.Json.Nodes.JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        edit(header);
        var edited = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        File.WriteAllBytes(output, [.. BitConverter.GetBytes((ulong)edited.Length), .. edited, .. bytes.AsSpan(8 + length)]);
        return output;
    }

    [TestMethod]
    public void ACheckpointAlteredAfterItWasWrittenIsRefused()
    {
        using var dir = new TempDir();
        Train(dir.File("run"), 1);
        string path = dir.File("run/checkpoint.safetensors");
        var good = CheckpointFile.Load(path);
        string Refusal(string name, Action<System.Text.Json.Nodes.JsonObject> edit)
        {
            string edited = EditedHeader(path, dir.File(name), edit);
            return Assert.ThrowsExactly<InvalidDataException>(() => CheckpointFile.Load(edited)).Message;
        }
        // Without the checksums entry a flipped bit would load silently: the entry is required.
        StringAssert.Contains(Refusal("no-sums.safetensors", h => h["__metadata__"]!.AsObject().Remove(TensorChecksums.Key)), "has no 'checksums' metadata entry");
        // A 2-D tensor's shape transposed: the same byte count, another tensor.
        var matrix = good.Tensors.First(t => t.Shape.Length == 2 && t.Shape[0] != t.Shape[1]);
        string transposed = Refusal("shape.safetensors", h => h[matrix.Name]!["shape"] = new System.Text.Json.Nodes.JsonArray(matrix.Shape[1], matrix.Shape[0]));
        StringAssert.Contains(transposed, $"tensor '{matrix.Name}' does not match its checksum");
        // An edited metadata value.
        StringAssert.Contains(Refusal("meta.safetensors", h => h["__metadata__"]!["info.threads"] = "64"), "metadata does not match its checksum");
        Assert.IsNotNull(EditedHeader(path, dir.File("same.safetensors"), _ => { }));
        Assert.AreEqual(good.Iteration, CheckpointFile.Load(dir.File("same.safetensors")).Iteration, "an unedited rewrite still loads");
    }

    [TestMethod]
    public void ExportRefusesTensorsOfAnotherNetUnderTheCheckpointsNetName()
    {
        using var dir = new TempDir();
        Train(dir.File("run"), 1);
        var good = CheckpointFile.Load(dir.File("run/checkpoint.safetensors"));
        var foreign = new NamedTensor("conv4_3/weight", [8, 8, 3, 3], new float[576]);
        CheckpointFile.Save(dir.File("mixed.safetensors"), new Checkpoint
        {
            Iteration = good.Iteration, Net = good.Net, Loss = good.Loss, SampleOrder = good.SampleOrder, ConfigJson = good.ConfigJson,
            Tensors = [.. good.Tensors, foreign], Kinds = new Dictionary<string, CarriedKind>(good.Kinds) { [foreign.Name] = CarriedKind.Parameter },
        });
        var (code, error) = CliRun.Run("export", "--checkpoint", dir.File("mixed.safetensors"), "--out", dir.File("e.onnx"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "conv4_3/weight");
        StringAssert.Contains(error, "sphere4");
    }

    [TestMethod]
    public void ResumeNeverWritesOverAnotherRunAndContinuesCompletelyInANewFolder()
    {
        using var dir = new TempDir();
        Train(dir.File("a"), 2);
        Train(dir.File("b"), 2, "--seed", "7");
        var before = File.ReadAllBytes(dir.File("b/checkpoint.safetensors"));
        var beforeMetrics = File.ReadAllText(dir.File("b/metrics.csv"));
        var (code, error) = CliRun.Run("train", "--resume", dir.File("a/checkpoint.safetensors"), "--iterations", "3", "--out", dir.File("b"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "holds another run");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(dir.File("b/checkpoint.safetensors")));
        Assert.AreEqual(beforeMetrics, File.ReadAllText(dir.File("b/metrics.csv")));

        (code, error) = CliRun.Run("train", "--resume", dir.File("a/checkpoint.safetensors"), "--iterations", "3", "--out", dir.File("c"));
        Assert.AreEqual(0, code, error);
        Assert.AreEqual(3, CheckpointFile.Load(dir.File("c/checkpoint.safetensors")).Iteration);
        Assert.AreEqual(2, CheckpointFile.Load(dir.File("a/checkpoint.safetensors")).Iteration, "the source run is untouched");
        CollectionAssert.AreEqual(new[] { "1", "2", "3" }, File.ReadAllLines(dir.File("c/metrics.csv")).Skip(1).Select(l => l.Split(',')[0]).ToArray());
    }

    [TestMethod]
    [DataRow("--batch", "100000", "batch must be in 1…")]
    [DataRow("--flip-probability", "NaN", "--flip-probability must be a finite number")]
    [DataRow("--flip-probability", "2", "data.flip_probability must be in [0, 1]")]
    [DataRow("--momentum", "2", "solver.momentum must be in [0, 1)")]
    [DataRow("--weight-decay", "-1", "solver.weight_decay must be a finite number ≥ 0")]
    [DataRow("--workers", "0", "data.workers must be in 1…")]
    [DataRow("--device", "gpu", "Unknown device 'gpu'")]
    [DataRow("--classes", "9000000", "exceeds one tensor's limit")]
    [DataRow("--data", "random:100000", "random:N with N in 1…")]
    public void OutOfRangeOptionsAreRefusedBeforeAnyFolderIsCreated(string option, string value, string message)
    {
        using var dir = new TempDir();
        string[] args = ["train", "--net", "sphere4", option, value, "--out", dir.File("run")];
        if (option != "--data") args = [.. args, "--data", "random:8"];
        if (option != "--classes") args = [.. args, "--classes", "2"];
        var (code, error) = CliRun.Run(args);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, message);
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
        Assert.IsFalse(Directory.Exists(dir.File("run")), "nothing was created");
    }

    [TestMethod]
    public void StaleTemporariesOfAKilledWriteAreRemovedAtTheNextStart()
    {
        using var dir = new TempDir();
        Train(dir.File("run"), 1);
        string stale = dir.File($"run/.checkpoint.safetensors.{int.MaxValue - 7}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, new byte[1000]);
        string foreign = dir.File("run/.notes.tmp");
        File.WriteAllText(foreign, "not ours");
        var (code, error) = CliRun.Run("train", "--resume", dir.File("run/checkpoint.safetensors"), "--iterations", "2");
        Assert.AreEqual(0, code, error);
        Assert.IsFalse(File.Exists(stale));
        Assert.IsTrue(File.Exists(foreign), "only the project's own pattern is removed");
        StringAssert.Contains(File.ReadAllText(dir.File("run/train.log")), "removed 1 temporary file");
    }

    [TestMethod]
    public void SkippedImagesAndLandmarksWithoutImageAreInTheLogWithACount()
    {
        using var dir = new TempDir();
        var (code, error) = CliRun.Run("synth", "--out", dir.File("faces"), "--identities", "10", "--max-images", "4", "--min-images", "4", "--test-images", "2",
            "--pairs-per-fold", "1", "--folds", "1");
        Assert.AreEqual(0, code, error);
        string first = File.ReadLines(dir.File("faces/train_identities.txt")).First();
        string victim = Directory.GetFiles(dir.File($"faces/images/{first}")).Order().First();
        File.WriteAllBytes(victim, []);
        File.AppendAllText(dir.File("faces/landmarks.txt"), $"{first}/{first}_0999.png 30 50 66 50 48 70 35 90 61 90\n");
        (code, error) = CliRun.Run("train", "--net", "sphere4", "--embedding-size", "16", "--loss", "softmax", "--data", dir.File("faces/images"),
            "--landmarks", dir.File("faces/landmarks.txt"), "--identity-list", dir.File("faces/train_identities.txt"), "--batch", "8", "--iterations", "6",
            "--lr", "0.01", "--threads", "1", "--workers", "1", "--out", dir.File("run"));
        Assert.AreEqual(0, code, error);
        string log = File.ReadAllText(dir.File("run/train.log"));
        StringAssert.Contains(log, $"warning: skipped image '{victim}'");
        StringAssert.Matches(log, new System.Text.RegularExpressions.Regex(@"skipped [1-9]\d* image loads \(1 distinct files"));
        StringAssert.Contains(log, $"1 landmark entries name images that are not under");
        StringAssert.Contains(log, $"{first}_0999.png");
    }

    [TestMethod]
    public void WithStdoutRedirectedTheStartLineIsOneLineWithTheWholeRunPath()
    {
        using var dir = new TempDir();
        string folder = dir.File("a-run-folder-with-a-rather-long-name-so-that-an-80-column-wrap-would-split-it");
        var (code, output, error) = CliRun.RunCapturing(["train", .. Small, "--lr", "0.01", "--iterations", "1", "--out", folder]);
        Assert.AreEqual(0, code, error);
        Assert.IsTrue(output.Split('\n').Any(l => l.StartsWith("training sphere4") && l.TrimEnd().EndsWith(folder)), output);
        Assert.IsFalse(output.Contains('\r') || output.Contains("\u001b["), "no progress bar or escape codes when not on a terminal");
    }
}
