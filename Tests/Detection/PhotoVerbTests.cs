using System.Text.Json.Nodes;
using OpenCvSharp;
using SphereFace.Alignment.Formats;
using SphereFace.Inference.Output;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Detection;

/// <summary>
/// The verbs on a folder of real photos given without landmarks (docs/detection.md): <c>detect</c> writes every face
/// the photos show, <c>embed</c> and <c>train</c> find the faces themselves, and a photo without a face is counted,
/// listed and left out. The face counts are the photos' own (<see cref="RealPhotos"/>), not this code's.
/// </summary>
[TestClass]
public sealed class PhotoVerbTests
{
    /// <summary>Two identities: face-api's sample1 and sample5 in <c>a/</c>; the astronaut, the cameraman and random noise in <c>b/</c>.</summary>
    private static string PhotoFolder(TempDir dir)
    {
        string root = dir.File("photos");
        foreach (var (identity, name) in new[] { ("a", "sample1"), ("a", "sample5"), ("b", "astronaut"), ("b", "camera") })
        {
            var photo = RealPhotos.Get(name);
            Directory.CreateDirectory(Path.Combine(root, identity));
            File.Copy(photo.Path, Path.Combine(root, identity, name + Path.GetExtension(photo.Path)));
        }
        using var noise = RandomImage(320, 240, 5);
        Cv2.ImWrite(Path.Combine(root, "b", "noise.png"), noise);
        return root;
    }

    [TestMethod]
    public void DetectWritesEveryFaceItsLandmarkListAndDrawings()
    {
        using var dir = new TempDir();
        string root = PhotoFolder(dir);
        File.WriteAllBytes(Path.Combine(root, "b", "broken.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2]);
        var (code, error) = CliRun.Run("detect", "--data", root, "--out", dir.File("faces.json"), "--landmarks-out", dir.File("landmarks.txt"), "--draw", dir.File("drawn"));
        Assert.AreEqual(0, code, error);
        var images = JsonNode.Parse(File.ReadAllText(dir.File("faces.json")))!["images"]!.AsArray().ToDictionary(i => i!["path"]!.GetValue<string>());
        foreach (var name in new[] { "sample1", "sample5", "astronaut", "camera" })
        {
            var entry = images.Single(kv => Path.GetFileNameWithoutExtension(kv.Key) == name).Value!;
            var faces = entry["faces"]!.AsArray();
            Assert.HasCount(RealPhotos.Get(name).Faces, faces, name);
            Assert.HasCount(5, faces[0]!["landmarks"]!.AsArray());
        }
        Assert.IsEmpty(images["b/noise.png"]!["faces"]!.AsArray());
        StringAssert.Contains(images["b/broken.jpg"]!["error"]!.GetValue<string>(), "broken.jpg");
        var list = LandmarkListFile.Read(dir.File("landmarks.txt")).Select(e => e.RelativePath).Order().ToList();
        CollectionAssert.AreEqual(new[] { "a/sample1.jpg", "a/sample5.jpg", "b/astronaut.png", "b/camera.png" }, list);
        Assert.HasCount(5, Directory.GetFiles(dir.File("drawn"), "*", SearchOption.AllDirectories), "every readable photo drawn");
    }

    [TestMethod]
    public void EmbedFindsTheFacesLeavesOutAPhotoWithoutOneAndReadsTheCacheTheSecondTime()
    {
        using var dir = new TempDir();
        string root = PhotoFolder(dir), npy = dir.File("e.npy");
        var (code, output, error) = CliRun.RunCapturing("embed", "--model", ModelPath, "--data", root, "--out", npy);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "faces found in 4 of 5 photos; no face in 1 (left out): b/noise.png");
        var paths = File.ReadAllLines(Path.ChangeExtension(npy, ".txt"));
        Assert.HasCount(4, paths);
        Assert.AreEqual(4, NpyFile.ReadMatrix(npy).Rows);
        var again = CliRun.RunCapturing("embed", "--model", ModelPath, "--data", root, "--out", dir.File("f.npy"));
        Assert.AreEqual(0, again.Code, again.Error);
        StringAssert.Contains(again.Output, "detected earlier");
        CollectionAssert.AreEqual(NpyFile.ReadMatrix(npy).Data, NpyFile.ReadMatrix(dir.File("f.npy")).Data, "the cached points give the same embeddings");
    }

    [TestMethod]
    public void TrainOnPhotosWithoutLandmarksUsesTheDetectedPoints()
    {
        using var dir = new TempDir();
        string root = PhotoFolder(dir), run = dir.File("run");
        var (code, output, error) = CliRun.RunCapturing("train", "--net", "sphere4", "--embedding-size", "8", "--data", root, "--batch", "2",
            "--iterations", "2", "--log-every", "1", "--threads", "1", "--lr", "0.01", "--out", run);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "no face in 1 (left out): b/noise.png");
        var data = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!["data"]!;
        Assert.IsTrue(data["skip_unlisted"]!.GetValue<bool>());
        var marks = LandmarkListFile.Read(data["landmarks"]!.GetValue<string>());
        Assert.HasCount(4, marks);
        Assert.IsTrue(File.Exists(Path.Combine(run, "checkpoint.safetensors")));
    }
}
