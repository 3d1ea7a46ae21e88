using OpenCvSharp;
using SphereFace.Alignment.Formats;
using SphereFace.Inference;
using SphereFace.Inference.Evaluation;
using SphereFace.Tests.Support;
using SphereFace.Training.Data.Formats;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Import;

/// <summary>
/// insightface's formats written from their documented layouts by python3 (struct for RecordIO and IRHeader, pickle for
/// .bin): a .rec/.idx pair read back and trained on, a .bin set evaluated; malformed records name their offset.
/// </summary>
[TestClass]
public sealed class InsightFaceFormatTests
{
    /// <summary>Writes train.rec/train.idx from PNG files: record 0 the insightface header, then one record per image.</summary>
    internal const string WriteRec = """
import struct, sys
folder, classes = sys.argv[1], [int(c) for c in sys.argv[2].split(",")]
images = [open(f"{folder}/face{i}.png", "rb").read() for i in range(len(classes))]
identities = sorted(set(classes))
def record(flag_labels, payload, label=0.0):
    if flag_labels is None: head = struct.pack("<IfQQ", 0, label, 0, 0)
    else: head = struct.pack("<IfQQ", len(flag_labels), 0.0, 0, 0) + struct.pack(f"<{len(flag_labels)}f", *flag_labels)
    data = head + payload
    return struct.pack("<II", 0xCED7230A, len(data)) + data + b"\0" * (-len(data) % 4)
n = len(images)
records = [record([float(n + 1), float(n + 1 + len(identities))], b"")]
records += [record(None, img, float(c)) for img, c in zip(images, classes)]
for k, c in enumerate(identities):
    members = [i + 1 for i, x in enumerate(classes) if x == c]
    records.append(record([float(members[0]), float(members[-1] + 1)], b""))
offset, lines = 0, []
with open(f"{folder}/train.rec", "wb") as rec:
    for key, r in enumerate(records):
        lines.append(f"{key}\t{offset}")
        rec.write(r)
        offset += len(r)
open(f"{folder}/train.idx", "w").write("\n".join(lines) + "\n")
""";

    private static string[] Faces(TempDir dir, int count)
    {
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            using var face = RandomImage(112, 112, 100 + i);
            Cv2.ImWrite(paths[i] = dir.File($"face{i}.png"), face);
        }
        return paths;
    }

    [TestMethod]
    public void ARecordSetReadsBackCroppedAndLabelledAndTrains()
    {
        using var dir = new TempDir();
        int[] classes = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
        var faces = Faces(dir, classes.Length);
        Python.Run(WriteRec, dir.Path, string.Join(",", classes));
        string rec = dir.File("train.rec");

        using (var set = InsightFaceRecordSet.Open(rec))
        {
            Assert.HasCount(classes.Length, set.Dataset.Samples);
            Assert.HasCount(4, set.Dataset.Identities);
            for (int i = 0; i < classes.Length; i++)
            {
                var sample = set.Dataset.Samples[i];
                Assert.AreEqual(classes[i], sample.Label, $"record {i + 1}");
                using var decoded = set.Decode(sample);
                using var original = Cv2.ImRead(faces[i]);
                using var middle = new Mat(original, new Rect(8, 0, 96, 112));
                Assert.AreEqual(new Size(96, 112), decoded.Size());
                using var diff = new Mat();
                Cv2.Absdiff(decoded, middle, diff);
                Assert.AreEqual(0, Cv2.CountNonZero(diff.Reshape(1)), $"record {i + 1}: the middle 96 columns of the PNG, exactly");
            }
        }

        var (code, error) = CliRun.Run("train", "--data", rec, "--net", "sphere4", "--batch", "4", "--iterations", "3", "--log-every", "1",
            "--checkpoint-every", "3", "--lr", "0.01", "--out", dir.File("run"));
        Assert.AreEqual(0, code, error);
        Assert.IsTrue(File.Exists(Path.Combine(dir.File("run"), "checkpoint.safetensors")));
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir.File("run"), "config.json")), "\"classes\": 4");
    }

    [TestMethod]
    public void ARecordZeroClaimingBillionsOfImagesIsRefusedBeforeAllocating()
    {
        using var dir = new TempDir();
        // One RecordIO record (magic, length word, payload): insightface's header with two labels, the first the
        // "images end at" count, 2e9, against an index of one key.
        var payload = new byte[24 + 8];
        BitConverter.GetBytes(2u).CopyTo(payload, 0);
        BitConverter.GetBytes(2e9f).CopyTo(payload, 24);
        BitConverter.GetBytes(3f).CopyTo(payload, 28);
        File.WriteAllBytes(dir.File("bomb.rec"), [.. BitConverter.GetBytes(0xced7230au), .. BitConverter.GetBytes((uint)payload.Length), .. payload]);
        File.WriteAllText(dir.File("bomb.idx"), "0\t0\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var message = Assert.ThrowsExactly<InvalidDataException>(() => InsightFaceRecordSet.Open(dir.File("bomb.rec"))).Message;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        StringAssert.Contains(message, "bomb.rec");
        StringAssert.Contains(message, "has 1 keys");
        Assert.IsLessThan(16L << 20, allocated, $"{allocated} bytes allocated before the refusal");
    }

    [TestMethod]
    public void AMalformedRecordIsRefusedNamingItsOffset()
    {
        using var dir = new TempDir();
        int[] classes = [0, 1];
        Faces(dir, 2);
        Python.Run(WriteRec, dir.Path, string.Join(",", classes));
        var lines = File.ReadAllLines(dir.File("train.idx"));
        long second = long.Parse(lines[2].Split('\t')[1]);
        var bytes = File.ReadAllBytes(dir.File("train.rec"));
        bytes[second] ^= 0xFF;
        File.WriteAllBytes(dir.File("train.rec"), bytes);
        var message = Assert.ThrowsExactly<InvalidDataException>(() => InsightFaceRecordSet.Open(dir.File("train.rec"))).Message;
        StringAssert.Contains(message, $"offset {second}");
        StringAssert.Contains(message, "magic");
        File.WriteAllText(dir.File("train.idx"), "0\tx\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => InsightFaceRecordSet.Open(dir.File("train.rec"))).Message, "train.idx:1");
    }

    [TestMethod]
    public void ABinSetEvaluatesInInsightfacesTenFolds()
    {
        using var dir = new TempDir();
        const int pairs = 23;
        var faces = Faces(dir, 2 * pairs);
        var same = Enumerable.Range(0, pairs).Select(i => i % 2 == 0).ToArray();
        Python.Run("import pickle, sys\nn = int(sys.argv[2])\nbins = [open(f'{sys.argv[1]}/face{i}.png', 'rb').read() for i in range(2 * n)]\n" +
                   "same = [c == '1' for c in sys.argv[3]]\npickle.dump((bins, same), open(f'{sys.argv[1]}/set.bin', 'wb'), protocol=2)",
                   dir.Path, pairs.ToString(), string.Concat(same.Select(s => s ? '1' : '0')));
        string json = dir.File("eval.json");
        var (code, error) = CliRun.Run("eval", "--model", ModelPath, "--protocol", "lfw", "--bin", dir.File("set.bin"), "--out", json);
        Assert.AreEqual(0, code, error);
        var report = EvaluationReport.Load(json);

        // Independent path: the library on the PNGs' middle columns, scikit-learn KFold(10) folds in file order.
        using var embedder = new Embedder(ModelPath);
        var rows = faces.Select(f => { using var m = Cv2.ImRead(f); using var c = new Mat(m, new Rect(8, 0, 96, 112)); return embedder.EmbedAligned(c.Clone()); }).ToList();
        var folds = Enumerable.Range(0, pairs).Select(i => i < 3 * 3 ? i / 3 : 3 + (i - 9) / 2).ToArray();
        var expected = LfwVerification.Evaluate(EmbeddingMatrix.FromRows(rows),
            Enumerable.Range(0, pairs).Select(i => new VerificationPair(2 * i, 2 * i + 1, same[i], folds[i])).ToList());
        Assert.AreEqual(expected.Accuracy.Mean, report.Metrics.First(m => m.Name == "accuracy").Value!.Value, 1e-12);
        Assert.AreEqual(pairs, (int)report.Metrics.First(m => m.Name == "pairs").Value!.Value);

        File.WriteAllText(dir.File("junk.bin"), "no pickle");
        (code, error) = CliRun.Run("eval", "--model", ModelPath, "--protocol", "lfw", "--bin", dir.File("junk.bin"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "junk.bin");
    }

    /// <summary>A .bin is a pickle, and a pickle can run code: one that names anything beyond bytes, lists and arrays is refused unrun.</summary>
    [TestMethod]
    public void ABinThatWouldRunCodeIsRefusedWithoutRunningIt()
    {
        using var dir = new TempDir();
        string marker = dir.File("ran");
        Python.Run("import os, pickle, sys\nclass Payload:\n    def __reduce__(self): return (os.system, ('touch ' + sys.argv[2],))\n" +
                   "pickle.dump(([Payload(), b'x'], [True]), open(sys.argv[1], 'wb'), protocol=2)", dir.File("evil.bin"), marker);
        var (code, error) = CliRun.Run("eval", "--model", ModelPath, "--protocol", "lfw", "--bin", dir.File("evil.bin"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "evil.bin");
        StringAssert.Contains(error, "system");
        Assert.IsFalse(File.Exists(marker), "the pickle's code must not run");
    }

    /// <summary>
    /// Images stored as numpy uint8 arrays (protocols 2 and 4) read as their bytes; an object array (which forges
    /// pointers inside numpy) and a <c>bytearray(10**9)</c> (a gigabyte from 62 bytes) are refused before anything is
    /// allocated.
    /// </summary>
    [TestMethod]
    public void NumpyImagesReadAndForgedArraysAndMemoryBombsAreRefused()
    {
        using var dir = new TempDir();
        var faces = Faces(dir, 2);
        Python.Run("""
import pickle, sys, numpy as np
faces = [np.frombuffer(open(f, "rb").read(), dtype=np.uint8) for f in sys.argv[2:4]]
for protocol in (2, 4):
    pickle.dump((faces, [True]), open(f"{sys.argv[1]}/np{protocol}.bin", "wb"), protocol=protocol)
pickle.dump(([np.array([1, "x"], dtype=object), b"y"], [True]), open(f"{sys.argv[1]}/object.bin", "wb"), protocol=2)
pickle.dump(([bytearray(10**3), b"y"], [True]), open(f"{sys.argv[1]}/small.bin", "wb"), protocol=2)
""", dir.Path, faces[0], faces[1]);
        foreach (var protocol in new[] { 2, 4 })
        {
            var contents = InsightFaceBinFile.Extract(dir.File($"np{protocol}.bin"), dir.File($"out{protocol}"));
            CollectionAssert.AreEqual(File.ReadAllBytes(faces[0]), File.ReadAllBytes(contents.Images[0]), $"protocol {protocol}");
            CollectionAssert.AreEqual(File.ReadAllBytes(faces[1]), File.ReadAllBytes(contents.Images[1]), $"protocol {protocol}");
        }
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => InsightFaceBinFile.Extract(dir.File("object.bin"), dir.File("o"))).Message, "object arrays are refused");
        Assert.HasCount(1000, File.ReadAllBytes(InsightFaceBinFile.Extract(dir.File("small.bin"), dir.File("s")).Images[0]), "a bytearray of bytes is bytes");

        // bytearray(10**9) as pickle writes the call (the 62-byte file of the probe), built by hand.
        byte[] bomb = [0x80, 0x02, .. "cbuiltins\nbytearray\n"u8, (byte)'J', .. BitConverter.GetBytes(1_000_000_000), 0x85, (byte)'R',
                       (byte)']', (byte)'q', 0, (byte)'\x88', 0x86, (byte)'.'];
        File.WriteAllBytes(dir.File("bomb.bin"), bomb);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var message = Assert.ThrowsExactly<InvalidDataException>(() => InsightFaceBinFile.Extract(dir.File("bomb.bin"), dir.File("b"))).Message;
        Assert.IsLessThan(16L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        StringAssert.Contains(message, "refusing to call builtins.bytearray");
        StringAssert.Contains(message, "bomb.bin");
        Assert.IsFalse(Directory.Exists(dir.File("b")), "nothing unpacked");
    }
}
