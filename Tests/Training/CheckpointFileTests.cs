using SphereFace.Graphs.IO;
using SphereFace.Graphs.TrainStep;
using System.Buffers.Binary;
using System.Text;
using SphereFace.Graphs.Parameters;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Session;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Training;

[TestClass]
public sealed class CheckpointFileTests
{
    private readonly TempDir _temp = new();

    [TestCleanup]
    public void Cleanup() => _temp.Dispose();

    private string TempDir()
    {
        string dir = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static Checkpoint Sample(string net = "sphere4", string loss = "ASoftmax m=4")
    {
        var rng = new SeededRandom(3);
        NamedTensor T(string name, params long[] shape)
        {
            var data = new float[shape.Aggregate(1L, (a, d) => a * d)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextGaussian();
            return new NamedTensor(name, shape, data);
        }
        return new Checkpoint
        {
            Iteration = 1234,
            Net = net,
            Loss = loss,
            SampleOrder = new SampleOrderState(99, 3, 17),
            ConfigJson = "{\"net\":\"sphere4\"}",
            Info = new Dictionary<string, string> { ["threads"] = "2" },
            Tensors = [T("conv1_1/weight", 4, 3, 3, 3), T("momentum/conv1_1/weight", 4, 3, 3, 3), T("fc5/bias", 7), T("state/centres", 2, 3)],
            Kinds = new Dictionary<string, CarriedKind>
            {
                ["conv1_1/weight"] = CarriedKind.Parameter, ["momentum/conv1_1/weight"] = CarriedKind.Momentum,
                ["fc5/bias"] = CarriedKind.Parameter, ["state/centres"] = CarriedKind.State,
            },
        };
    }

    [TestMethod]
    public void RoundTripsTensorsAndMetadata()
    {
        string path = Path.Combine(TempDir(), "c.safetensors");
        var saved = Sample();
        CheckpointFile.Save(path, saved);
        var loaded = CheckpointFile.Load(path);
        Assert.AreEqual(saved.Iteration, loaded.Iteration);
        Assert.AreEqual(saved.SampleOrder, loaded.SampleOrder);
        Assert.AreEqual(saved.Net, loaded.Net);
        Assert.AreEqual(saved.Loss, loaded.Loss);
        Assert.AreEqual(saved.ConfigJson, loaded.ConfigJson);
        Assert.AreEqual("2", loaded.Info["threads"]);
        Assert.HasCount(saved.Tensors.Count, loaded.Tensors);
        foreach (var t in saved.Tensors)
        {
            var u = loaded.Find(t.Name)!;
            CollectionAssert.AreEqual(t.Shape, u.Shape, t.Name);
            CollectionAssert.AreEqual(t.Data, u.Data, t.Name);
        }
        Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp").Length, "temp file left behind");
    }

    [TestMethod]
    public void PythonReadsTheFileWithNumpyAlone()
    {
        string path = Path.Combine(TempDir(), "c.safetensors");
        var saved = Sample();
        CheckpointFile.Save(path, saved);
        // The reader from docs/checkpoints.md: header length, JSON header, numpy views of the data.
        const string script = """
            import json, struct, sys
            import numpy as np
            with open(sys.argv[1], "rb") as f:
                n = struct.unpack("<Q", f.read(8))[0]
                header = json.loads(f.read(n))
                data = f.read()
            meta = header.pop("__metadata__")
            print("iteration", meta["iteration"], "net", meta["net"], "order", json.loads(meta["sample_order"])["position"])
            for name, e in header.items():
                b, end = e["data_offsets"]
                a = np.frombuffer(data[b:end], dtype="<f4").reshape(e["shape"])
                print(name, a.shape, repr(float(a.astype(np.float64).sum())), repr(float(a.flat[-1])))
            """;
        string stdout = Python.Run(script, path);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("iteration 1234 net sphere4 order 17", lines[0]);
        foreach (var t in saved.Tensors)
        {
            var line = lines.Single(l => l.StartsWith(t.Name + " ", StringComparison.Ordinal)).Split(' ');
            double sum = double.Parse(line[^2], System.Globalization.CultureInfo.InvariantCulture);
            double last = double.Parse(line[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.AreEqual(t.Data.Sum(v => (double)v), sum, 1e-9, t.Name);
            Assert.AreEqual(t.Data[^1], (float)last, t.Name);
        }
    }

    [TestMethod]
    public void TruncatedFilesAreRefusedAsTruncated()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "c.safetensors");
        CheckpointFile.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        foreach (int length in new[] { 0, 5, 8, 20, headerEnd - 1, headerEnd, headerEnd + 10, bytes.Length - 1 })
        {
            string cut = Path.Combine(dir, $"cut{length}.safetensors");
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => CheckpointFile.Load(cut), $"length {length}");
            StringAssert.Contains(e.Message, "truncated", $"length {length}: {e.Message}");
            StringAssert.Contains(e.Message, cut);
        }
    }

    [TestMethod]
    public void HugeHeaderLengthIsRefusedBeforeAllocating()
    {
        string path = Path.Combine(TempDir(), "huge.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => CheckpointFile.Load(path));
        Assert.IsLessThan(256 << 10, GC.GetAllocatedBytesForCurrentThread() - before, "allocated from the corrupt length");
        StringAssert.Contains(e.Message, "header claims");
    }

    [TestMethod]
    public void CorruptHeadersAreClearErrors()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "c.safetensors");
        CheckpointFile.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, n);

        void Expect(string name, string newHeader, string fragment)
        {
            var h = Encoding.UTF8.GetBytes(newHeader);
            var file = new byte[8 + h.Length + (bytes.Length - 8 - n)];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
            h.CopyTo(file, 8);
            bytes.AsSpan(8 + n).CopyTo(file.AsSpan(8 + h.Length));
            string p = Path.Combine(dir, name + ".safetensors");
            File.WriteAllBytes(p, file);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => CheckpointFile.Load(p), name);
            StringAssert.Contains(e.Message, fragment, $"{name}: {e.Message}");
        }

        Expect("badjson", header.Replace("\"dtype\"", "\"dtype"), "not valid JSON");
        Expect("dtype", header.Replace("\"F32\"", "\"F16\"").PadRight(n), "F16");
        Expect("shape", header.Replace("[4,3,3,3]", "[4,3,3,4]").PadRight(n), "conv1_1/weight");
        Expect("format", header.Replace(Checkpoint.Format, "other-format-9").PadRight(n), "other-format-9");
        Expect("noiter", header.Replace("\"iteration\"", "\"iterationX\""), "'iteration' is missing");
        // Overlap: point the last tensor at the first tensor's bytes.
        var overlapped = System.Text.RegularExpressions.Regex.Replace(header, "(\"state/centres\":\\{[^}]*\"data_offsets\":\\[)\\d+,\\d+", "${1}0,24");
        Expect("overlap", overlapped, "corrupt");
    }

    [TestMethod]
    public void OtherNetOrLossIsNamed()
    {
        var ckpt = Sample("sphere20", "ASoftmax m=4");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ckpt.EnsureMatches("sphere4", "ASoftmax m=4", "x.safetensors"));
        StringAssert.Contains(e.Message, "sphere20");
        StringAssert.Contains(e.Message, "sphere4");
        e = Assert.ThrowsExactly<InvalidDataException>(() => ckpt.EnsureMatches("sphere20", "AMSoftmax m=0.35 s=30", "x.safetensors"));
        StringAssert.Contains(e.Message, "ASoftmax m=4");
        StringAssert.Contains(e.Message, "AMSoftmax");
    }

    [TestMethod]
    public void RestoringTensorsOfAnotherModelNamesTheTensor()
    {
        using var session = LinearSgdStepModel.Session(8, 5, new TrainSessionOptions(Threads: 1));
        using var other = LinearSgdStepModel.Session(8, 6, new TrainSessionOptions(Threads: 1));
        var tensors = SessionState.Capture(other);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SessionState.Restore(session, tensors, "o.safetensors"));
        StringAssert.Contains(e.Message, "'w'");
        StringAssert.Contains(e.Message, "[6,1]");

        var missing = SessionState.Capture(session).Where(t => t.Name != "momentum/b").ToArray();
        e = Assert.ThrowsExactly<InvalidDataException>(() => SessionState.Restore(session, missing, "m.safetensors"));
        StringAssert.Contains(e.Message, "momentum/b");

        var extra = SessionState.Capture(session).Append(new NamedTensor("state/centres", [2], [1, 2])).ToArray();
        e = Assert.ThrowsExactly<InvalidDataException>(() => SessionState.Restore(session, extra, "e.safetensors"));
        StringAssert.Contains(e.Message, "state/centres");
    }
}
