using System.Diagnostics;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Alignment.Formats;
using SphereFace.Graphs.Import.Caffe;
using SphereFace.Graphs.Import.Torch;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Import;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;
using SphereFace.Training.Runs;

namespace SphereFace.Tests.Reliability;

/// <summary>
/// Random mutations of valid files, seeded, for every parser of user files: each mutant must parse or be refused with
/// the parser's documented exception (<see cref="InvalidDataException"/>, a run spec's <see cref="ArgumentException"/>)
/// — never another exception (an index out of range, a null reference, an overflow is a bug), never a hang or a
/// memory spike. <c>./sphereface test --filter TestCategory=Fuzz</c> runs them alone; <c>SPHEREFACE_FUZZ_CASES</c>
/// sets the mutants per parser (default 3000).
/// </summary>
[TestClass]
[TestCategory("Fuzz")]
public sealed class ParserFuzzTests
{
    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("SPHEREFACE_FUZZ_CASES"), out int n) && n > 0 ? n : 3000;

    private const string Tokens = "0123456789-{}[]:,\"\n\t e.";

    /// <summary>A mutant of <paramref name="valid"/>: bits flipped, bytes overwritten, cut, a chunk repeated or bytes inserted.</summary>
    private static byte[] Mutate(byte[] valid, Random rng)
    {
        var b = new List<byte>(valid);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits && b.Count > 0; e++)
        {
            int at = rng.Next(b.Count);
            switch (rng.Next(6))
            {
                case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: b[at] = (byte)rng.Next(256); break;
                case 2: b.RemoveRange(at, b.Count - at); break;
                case 3: { int n = Math.Min(b.Count - at, 1 + rng.Next(64)); b.InsertRange(at, b.GetRange(at, n)); break; }
                case 4: b.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => (byte)rng.Next(256))); break;
                default: b[at] = (byte)Tokens[rng.Next(Tokens.Length)]; break;
            }
        }
        return b.ToArray();
    }

    /// <summary>Runs <paramref name="parse"/> on <see cref="Cases"/> mutants; returns a line of what happened.</summary>
    private static string Fuzz(string parser, byte[] valid, Action<byte[]> parse, Func<Exception, bool>? alsoExpected = null, int? cases = null)
    {
        int count = cases ?? Cases;
        parse(valid); // the seed file itself parses
        // Seeded by the parser's name (FNV-1a: string.GetHashCode differs between processes), so a finding replays.
        var rng = new Random((int)(parser.Aggregate(2166136261u, (h, c) => (h ^ c) * 16777619u) & 0x7FFFFFFF));
        int accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        long peak = 0;
        for (int i = 0; i < count; i++)
        {
            var mutant = Mutate(valid, rng);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                parse(mutant);
                accepted++;
            }
            catch (Exception e) when (e is InvalidDataException || (alsoExpected?.Invoke(e) ?? false))
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{parser}: mutant {i} ({mutant.Length} bytes) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            peak = Math.Max(peak, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        string line = $"{parser}: {count} mutants, {accepted} parsed, {refused} refused, largest allocation {peak / 1024} KiB, {clock.Elapsed.TotalSeconds:0.0} s";
        Console.WriteLine(line);
        Assert.IsLessThan(256L << 20, peak, line);
        return line;
    }

    private static void WithFile(TempDir dir, string name, byte[] bytes, Action<string> parse)
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        parse(path);
    }

    [TestMethod]
    public void Prototxt()
    {
        var (text, _) = CaffeFiles.Write(4, seed: 1);
        Fuzz("prototxt", System.Text.Encoding.UTF8.GetBytes(text), b => SphereFace.Graphs.Import.Caffe.Prototxt.Parse(System.Text.Encoding.UTF8.GetString(b), "fuzz.prototxt"));
    }

    [TestMethod]
    public void CheckpointAndSafetensors()
    {
        using var dir = new TempDir();
        var rng = new SeededRandom(5);
        var tensors = new List<NamedTensor> { new("a", [2, 3], [.. Enumerable.Range(0, 6).Select(i => (float)rng.NextGaussian())]), new("momentum/a", [2, 3], new float[6]) };
        CheckpointFile.Save(dir.File("seed.safetensors"), new Checkpoint
        {
            Iteration = 3, Net = "sphere4", Loss = "Softmax", SampleOrder = new SampleOrderState(1, 0, 2), ConfigJson = "{}",
            Tensors = tensors, Kinds = new Dictionary<string, CarriedKind> { ["a"] = CarriedKind.Parameter, ["momentum/a"] = CarriedKind.Momentum },
        });
        Fuzz("checkpoint", File.ReadAllBytes(dir.File("seed.safetensors")), b => WithFile(dir, "m.safetensors", b, p => CheckpointFile.Load(p)));
    }

    [TestMethod]
    public void RecordIoAndIndex()
    {
        using var dir = new TempDir();
        using var img = new Mat(112, 112, MatType.CV_8UC3, Scalar.All(90));
        byte[] png = img.ImEncode(".png");
        var rec = new MemoryStream();
        var idx = new System.Text.StringBuilder();
        void Record(string key, float label, byte[] payload)
        {
            idx.Append(key).Append('\t').Append(rec.Length).Append('\n');
            byte[] body = [.. BitConverter.GetBytes(0u), .. BitConverter.GetBytes(label), .. new byte[16], .. payload];
            rec.Write(BitConverter.GetBytes(RecordIoFile.Magic));
            rec.Write(BitConverter.GetBytes((uint)body.Length));
            rec.Write(body);
            rec.Write(new byte[(4 - body.Length % 4) % 4]);
        }
        for (int i = 0; i < 3; i++) Record((i + 1).ToString(), i % 2, png);
        byte[] validRec = rec.ToArray(), validIdx = System.Text.Encoding.ASCII.GetBytes(idx.ToString());
        File.WriteAllBytes(dir.File("s.idx"), validIdx);
        Fuzz("rec", validRec, b => WithFile(dir, "s.rec", b, p => { using var set = InsightFaceRecordSet.Open(p); }));
        File.WriteAllBytes(dir.File("t.rec"), validRec);
        Fuzz("idx", validIdx, b => WithFile(dir, "t.idx", b, _ => { using var set = InsightFaceRecordSet.Open(dir.File("t.rec")); }));
    }

    [TestMethod]
    public void PicklesOfBinSetsAndTorchCheckpoints()
    {
        using var dir = new TempDir();
        Python.Run("""
import pickle, sys, torch
pickle.dump(([b"\x89PNG\r\n\x1a\n....", b"\xff\xd8\xff....", "text", 3.5], [True, False, 1]), open(sys.argv[1], "wb"), protocol=2)
torch.manual_seed(0)
torch.save({"w": torch.randn(3, 4), "h": torch.randn(5).half(), "t": torch.randn(2, 3).t()}, sys.argv[2])
""", dir.File("seed.bin"), dir.File("seed.pth"));
        Fuzz("pickle (.bin)", File.ReadAllBytes(dir.File("seed.bin")), b => SphereFace.Graphs.IO.Pickle.PickleReader.Load(b, "fuzz.bin", new AnythingButCalls()));
        Fuzz("torch checkpoint (.pth)", File.ReadAllBytes(dir.File("seed.pth")), b => WithFile(dir, "m.pth", b, p => TorchCheckpointFile.Read(p)));
    }

    /// <summary>Builds nothing the pickle asks for: every call, BUILD and persistent id refused as bad input.</summary>
    private sealed class AnythingButCalls : SphereFace.Graphs.IO.Pickle.IPickleRules
    {
        public object? Call(SphereFace.Graphs.IO.Pickle.PickleGlobal callable, object?[] args) => callable.Name == "encode" ? Array.Empty<byte>() : throw new InvalidDataException("refused");
        public object? Build(object? target, object? state) => throw new InvalidDataException("refused");
        public object? Persistent(object? id) => throw new InvalidDataException("refused");
    }

    [TestMethod]
    public void TextListsAndRunSpecs()
    {
        var marks = LandmarkListFile.Format([new LandmarkEntry("a/1.png", [new(30, 50), new(65, 50), new(48, 70), new(35, 90), new(62, 90)]),
                                             new LandmarkEntry("b/2.png", [new(31, 51), new(66, 52), new(47, 71), new(36, 91), new(61, 89)])]);
        Fuzz("landmark list", System.Text.Encoding.UTF8.GetBytes(marks), b => LandmarkListFile.Parse(new StringReader(System.Text.Encoding.UTF8.GetString(b)), "fuzz.txt"));
        var pairs = PairsFile.Format([new PairsFold([new FacePair("a", 1, "a", 2)], [new FacePair("a", 1, "b", 1)]), new PairsFold([new FacePair("b", 1, "b", 2)], [new FacePair("b", 2, "a", 2)])]);
        Fuzz("pairs file", System.Text.Encoding.UTF8.GetBytes(pairs), b => PairsFile.Parse(new StringReader(System.Text.Encoding.UTF8.GetString(b)), "fuzz-pairs.txt"));
        Fuzz("run spec", System.Text.Encoding.UTF8.GetBytes(new RunSpec().ToJson()), b => RunSpec.FromJson(System.Text.Encoding.UTF8.GetString(b), "fuzz.json").Validate(),
            e => e is ArgumentException and not ArgumentNullException);
    }

    [TestMethod]
    public void ImageHeadersAndDecoding()
    {
        using var img = new Mat(40, 60, MatType.CV_8UC3, Scalar.All(10));
        foreach (var ext in new[] { ".png", ".jpg", ".bmp", ".webp" })
        {
            Fuzz($"image header ({ext})", img.ImEncode(ext), b => ImageHeader.Size(b));
            // Decoding through OpenCV, with the pixel limit checked from the header first.
            // (A third of the mutants: a corrupt PNG takes OpenCV about 10 ms to refuse.)
            Fuzz($"photo decoding ({ext})", img.ImEncode(ext), b => { using var m = PhotoReader.Decode(b, "fuzz" + ext, maxPixels: 1 << 20); }, e => e is SphereFace.Models.Errors.FaceInputException, cases: Cases / 3);
        }
    }

    [TestMethod]
    public void TfLiteModels()
    {
        var detector = SphereFace.Detection.ModelBuild.PinnedModel.FaceDetection.ReadTfLite(SphereFace.Detection.ModelBuild.NpmTarball.DefaultCache);
        Fuzz("tflite (face detector)", detector, b => SphereFace.Graphs.Import.TfLite.TfLiteToOnnx.Convert(b, "fuzz.tflite"), e => e is NotSupportedException);
    }
}
