using System.Diagnostics;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using SphereFace.Alignment;
using SphereFace.Detection;
using SphereFace.Inference;

namespace SphereFace.Benchmarks.Detection;

/// <summary>Median milliseconds of each stage of a photo's way to embeddings, over many repetitions.</summary>
public sealed record PhotoPathTimes(int Faces, double Decode, double Detector, double Landmarks, double Align, double Embed, double OpenCvDetector, double OpenCvLandmarks)
{
    /// <summary>The whole path in this runtime: decode, detector, landmarks, alignment and embedding.</summary>
    public double Total => Decode + Detector + Landmarks + Align + Embed;
}

/// <summary>
/// One photo from its file's bytes to an embedding per face, stage by stage (<c>bench detect</c>): decode (OpenCV),
/// the detector (letterbox, model, anchors, merging), the landmark stage (rotated crops, face mesh for all faces at
/// once, five points), alignment onto the template, the network on the aligned faces as one batch. The detector's and
/// the face mesh's graphs are also timed in OpenCV DNN, a second runtime users have, on the same inputs.
/// </summary>
public static class PhotoPathBenchmark
{
    /// <summary>Times <paramref name="photo"/>'s path with <paramref name="model"/> on <paramref name="threads"/> threads for about <paramref name="seconds"/> per stage.</summary>
    public static PhotoPathTimes Measure(string photo, string model, int threads, double seconds)
    {
        byte[] encoded = File.ReadAllBytes(photo);
        using var detector = new FaceDetector(); // its default: one thread per graph (the graphs are small)
        using var embedder = new Embedder(model, new EmbedderOptions { IntraOpThreads = threads });
        var aligner = new FaceAligner(embedder.TemplateKind);
        Cv2.SetNumThreads(threads);
        var (decode, det, lm, align, embed) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
        int faces = 0;
        var budget = Stopwatch.StartNew();
        for (int round = 0; round < 3 || budget.Elapsed.TotalSeconds < seconds; round++)
        {
            var clock = Stopwatch.StartNew();
            using var image = PhotoReader.Decode(encoded, photo);
            decode.Add(clock.Elapsed.TotalMilliseconds);
            var found = detector.Detect(image, out var profile);
            det.Add(profile.Detector.TotalMilliseconds);
            lm.Add(profile.Landmarks.TotalMilliseconds);
            clock.Restart();
            var aligned = found.Select(f => aligner.Align(image, f.Landmarks)).ToList();
            align.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            var destination = new float[aligned.Count * embedder.Dimension];
            embedder.EmbedAligned(aligned, destination);
            embed.Add(clock.Elapsed.TotalMilliseconds);
            foreach (var a in aligned) a.Dispose();
            faces = found.Count;
        }
        var (cvDetector, cvLandmarks) = OpenCvDnn(faces, threads, seconds / 2);
        return new PhotoPathTimes(faces, Median(decode), Median(det), Median(lm), Median(align), Median(embed), cvDetector, cvLandmarks);
    }

    /// <summary>OpenCV DNN running the detector's graph on one 192×192 input and the face mesh's on <paramref name="faces"/> crops.</summary>
    private static (double Detector, double Landmarks) OpenCvDnn(int faces, int threads, double seconds)
    {
        string dir = Directory.CreateTempSubdirectory("sphereface-bench-detect-").FullName;
        try
        {
            double Time(string name, int batch)
            {
                string path = Path.Combine(dir, name);
                File.WriteAllBytes(path, FaceModels.Read(name));
                using var net = CvDnn.ReadNetFromOnnx(path) ?? throw new InvalidDataException($"OpenCV DNN cannot read {name}.");
                using var input = new Mat([Math.Max(1, batch), 3, 192, 192], MatType.CV_32F, new Scalar(0.25));
                var times = new List<double>();
                var budget = Stopwatch.StartNew();
                for (int i = 0; i < 3 || budget.Elapsed.TotalSeconds < seconds / 2; i++)
                {
                    var clock = Stopwatch.StartNew();
                    net.SetInput(input, "image");
                    using var output = net.Forward();
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
                return Median(times);
            }
            return (Time(FaceModels.Detector, 1), Time(FaceModels.Landmarks, faces));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
