using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using SphereFace.Detection;
using SphereFace.Detection.ModelBuild;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Detection;

/// <summary>
/// The face models as the project converts them (TFLite → ONNX by its own importer, run by ONNX Runtime) against the
/// very .tflite files run by TensorFlow Lite's own kernels (its WebAssembly build from npm, in Node), on real photos:
/// the detector on letterboxed photos, the face mesh on face crops. Also python3-onnx's full check of both graphs.
/// </summary>
[TestClass]
public sealed class ConvertedModelTests
{
    private const int Size = 192;

    /// <summary>An image as the model's NHWC float input: letterboxed or stretched to 192×192, RGB, value·scale + offset.</summary>
    private static float[] Nhwc(Mat bgr, float scale, float offset)
    {
        var x = new float[Size * Size * 3];
        for (int y = 0; y < Size; y++)
            for (int c = 0; c < Size; c++)
            {
                var p = bgr.At<Vec3b>(y, c);
                int at = (y * Size + c) * 3;
                (x[at], x[at + 1], x[at + 2]) = (p.Item2 * scale + offset, p.Item1 * scale + offset, p.Item0 * scale + offset);
            }
        return x;
    }

    private static float[] Nchw(float[] nhwc)
    {
        var x = new float[nhwc.Length];
        for (int i = 0; i < Size * Size; i++) for (int c = 0; c < 3; c++) x[c * Size * Size + i] = nhwc[i * 3 + c];
        return x;
    }

    private static Mat Letterbox(Mat photo)
    {
        double s = (double)Size / Math.Max(photo.Width, photo.Height);
        using var resized = photo.Resize(new OpenCvSharp.Size((int)Math.Round(photo.Width * s), (int)Math.Round(photo.Height * s)), 0, 0, InterpolationFlags.Area);
        var canvas = new Mat(Size, Size, MatType.CV_8UC3, Scalar.Black);
        resized.CopyTo(canvas[new Rect((Size - resized.Width) / 2, (Size - resized.Height) / 2, resized.Width, resized.Height)]);
        return canvas;
    }

    /// <summary>The TFLite model's outputs on one NHWC input, through TensorFlow Lite's own runtime.</summary>
    private static float[][] TfLite(TempDir dir, PinnedModel model, float[] nhwc)
    {
        string tflite = dir.File(Path.GetFileName(model.Entry) + ".tflite"), input = dir.File("input.bin"), prefix = dir.File("out");
        if (!File.Exists(tflite)) File.WriteAllBytes(tflite, model.ReadTfLite(NpmTarball.DefaultCache));
        File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(nhwc.AsSpan()).ToArray());
        NodeReference.Run("tflite_run.js", tflite, input, prefix);
        using var listing = JsonDocument.Parse(File.ReadAllText(prefix + ".json"));
        return listing.RootElement.GetProperty("outputs").EnumerateArray().Select(o =>
        {
            var bytes = File.ReadAllBytes(o.GetProperty("file").GetString()!);
            var values = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            return values;
        }).ToArray();
    }

    private static float[][] Onnx(string model, string[] outputs, float[] nchw)
    {
        using var session = new InferenceSession(FaceModels.Read(model));
        using var tensor = OrtValue.CreateTensorValueFromMemory(nchw, [1, 3, Size, Size]);
        using var run = new RunOptions();
        using var result = session.Run(run, ["image"], [tensor], outputs);
        return result.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    private static (double MaxDiff, double Range) Compare(float[] ours, float[] reference)
    {
        Assert.AreEqual(reference.Length, ours.Length);
        double diff = 0, range = 0;
        for (int i = 0; i < ours.Length; i++) (diff, range) = (Math.Max(diff, Math.Abs(ours[i] - reference[i])), Math.Max(range, Math.Abs(reference[i])));
        return (diff, range);
    }

    /// <summary>
    /// Measured (astronaut, sample1, sample5): regressors differ by at most 1.1e-4 input pixels (values up to 84), score
    /// logits by 2.6e-5 (up to 16):
    /// float rounding. Bound 1e-3 in both: a box or keypoint moves by less than 1e-3 / 192 of the letterboxed photo.
    /// </summary>
    [TestMethod]
    public void DetectorEqualsTfLitesOwnRuntimeOnRealPhotos()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "astronaut", "sample1", "sample5" })
        {
            using var photo = Cv2.ImRead(RealPhotos.Get(name).Path);
            using var boxed = Letterbox(photo);
            var nhwc = Nhwc(boxed, 1f / 127.5f, -1f);
            var reference = TfLite(dir, PinnedModel.FaceDetection, nhwc);
            var ours = Onnx(FaceModels.Detector, ["regressors", "scores"], Nchw(nhwc));
            var (dr, rr) = Compare(ours[0], reference[0]);
            var (ds, rs) = Compare(ours[1], reference[1]);
            Console.WriteLine($"{name}: regressors max |Δ| {dr:G3} (values up to {rr:F1}), score logits max |Δ| {ds:G3} (up to {rs:F1})");
            Assert.IsTrue(dr <= 1e-3 && ds <= 1e-3, $"{name}: the converted detector differs from TFLite by {dr:G3} / {ds:G3}");
        }
    }

    /// <summary>
    /// Measured (the 6 faces of astronaut and sample5): landmark coordinates differ by at most 1.6e-4 crop pixels (values
    /// up to 175), the presence logit by 3.1e-5. Bound 1e-3.
    /// </summary>
    [TestMethod]
    public void FaceMeshEqualsTfLitesOwnRuntimeOnRealFaces()
    {
        using var dir = new TempDir();
        using var detector = new FaceDetector();
        int faces = 0;
        foreach (var name in new[] { "astronaut", "sample5" })
        {
            using var photo = Cv2.ImRead(RealPhotos.Get(name).Path);
            foreach (var face in detector.Detect(photo))
            {
                // A square crop of 1.5 × the box, as the detector's landmark stage takes (here axis-aligned).
                float side = Math.Max(face.Box.Width, face.Box.Height) * 1.5f;
                var centre = new Point2f(face.Box.X + face.Box.Width / 2, face.Box.Y + face.Box.Height / 2);
                using var crop = new Mat();
                using var m = Cv2.GetAffineTransform([new Point2f(0, 0), new Point2f(Size, 0), new Point2f(0, Size)],
                    [new Point2f(centre.X - side / 2, centre.Y - side / 2), new Point2f(centre.X + side / 2, centre.Y - side / 2), new Point2f(centre.X - side / 2, centre.Y + side / 2)]);
                Cv2.WarpAffine(photo, crop, m, new OpenCvSharp.Size(Size, Size), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Replicate);
                var nhwc = Nhwc(crop, 1f / 255f, 0f);
                var reference = TfLite(dir, PinnedModel.FaceLandmarks, nhwc);
                var ours = Onnx(FaceModels.Landmarks, ["landmarks", "presence"], Nchw(nhwc));
                var (dl, rl) = Compare(ours[0], reference[0]);
                var (dp, _) = Compare(ours[1], reference[1]);
                Console.WriteLine($"{name} face {++faces}: landmarks max |Δ| {dl:G3} (values up to {rl:F1}), presence logit |Δ| {dp:G3}");
                Assert.IsTrue(dl <= 1e-3 && dp <= 1e-3, $"{name}: the converted face mesh differs from TFLite by {dl:G3} / {dp:G3}");
            }
        }
        Assert.AreEqual(6, faces);
    }

    [TestMethod]
    public void BothGraphsPassOnnxsFullCheck()
    {
        using var dir = new TempDir();
        foreach (var model in new[] { FaceModels.Detector, FaceModels.Landmarks })
        {
            string path = dir.File(model);
            File.WriteAllBytes(path, FaceModels.Read(model));
            string output = Python.Run("import onnx, sys\nonnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\nprint('ok')", path);
            StringAssert.Contains(output, "ok", $"{model}: {output}");
        }
    }
}
