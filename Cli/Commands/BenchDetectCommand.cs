using System.CommandLine;
using System.Globalization;
using SphereFace.Benchmarks.Detection;
using SphereFace.Benchmarks.Machine;
using SphereFace.Detection.ModelBuild;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Cli.Commands;

/// <summary><c>bench detect</c>: a photo's way to embeddings, stage by stage (docs/detection.md).</summary>
internal static class BenchDetectCommand
{
    private const string FaceApi = "@vladmandic/face-api", FaceApiVersion = "1.7.15", FaceApiSha256 = "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031";

    public static Command Create()
    {
        var photo = new Option<string?>("--photo") { Description = "the photo (default: face-api's demo sample4.jpg, 1920×1448 with 4 faces, fetched with npm pack)" };
        var net = new Option<string>("--net") { Description = "the embedding net (random weights)", DefaultValueFactory = _ => "sphere20" };
        var threads = new Option<int>("--threads") { Description = "threads for ONNX Runtime and OpenCV", DefaultValueFactory = _ => 2 };
        var seconds = new Option<double>("--seconds") { Description = "seconds of repetitions", DefaultValueFactory = _ => 8.0 };
        var cmd = new Command("detect", "Time a photo from its file to an embedding per face: decode, detector, landmarks, alignment, network; and the detector's graphs in OpenCV DNN.")
        {
            photo, net, threads, seconds,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string path = p.GetValue(photo) ?? DefaultPhoto();
            if (!File.Exists(path)) throw new FileNotFoundException($"--photo '{path}' does not exist.", path);
            int t = p.GetValue(threads);
            if (t < 1) throw new Models.Errors.InputException($"--threads must be ≥ 1, got {t}.");
            var config = SphereNetConfig.Parse(p.GetValue(net)!);
            string model = Path.Combine(Path.GetTempPath(), $"sphereface-bench-detect-{Environment.ProcessId}.onnx");
            ModelFile.Save(EmbeddingGraph.Build(config, new ParameterStore(1)), model);
            try
            {
                Console.WriteLine(MachineDescription.Line());
                var r = PhotoPathBenchmark.Measure(path, model, t, p.GetValue(seconds));
                var inv = CultureInfo.InvariantCulture;
                Console.WriteLine($"{Path.GetFileName(path)}: {r.Faces} faces, {t} threads, median ms per photo:");
                foreach (var (stage, ms) in new[] { ("decode", r.Decode), ("detector", r.Detector), ("landmarks (all faces)", r.Landmarks), ("align", r.Align), ($"{config.Name} embed (all faces)", r.Embed) })
                    Console.WriteLine(string.Format(inv, "  {0,-28} {1,8:F1} ms  {2,6:P1}", stage, ms, ms / r.Total));
                Console.WriteLine(string.Format(inv, "  {0,-28} {1,8:F1} ms", "total", r.Total));
                Console.WriteLine(string.Format(inv, "detector + landmarks: {0:P1} of the path", (r.Detector + r.Landmarks) / r.Total));
                Console.WriteLine(string.Format(inv, "OpenCV DNN on the same graphs (network only): detector {0:F1} ms, face mesh on {1} crops {2:F1} ms", r.OpenCvDetector, r.Faces, r.OpenCvLandmarks));
            }
            finally
            {
                File.Delete(model);
            }
            return 0;
        }));
        return cmd;
    }

    private static string DefaultPhoto()
    {
        string tarball = NpmTarball.Ensure(FaceApi, FaceApiVersion, FaceApiSha256, NpmTarball.DefaultCache);
        string path = Path.Combine(Models.IO.CacheFolder.Root, "photos", $"face-api-{FaceApiVersion}", "sample4.jpg");
        if (!File.Exists(path)) Models.IO.AtomicFile.WriteAllBytes(path, NpmTarball.Read(tarball, "package/demo/sample4.jpg"));
        return path;
    }
}
