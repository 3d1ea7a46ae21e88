using OpenCvSharp;
using SphereFace.Inference;
using SphereFace.Models.Errors;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>
/// The Embedder's input forms — file path, encoded bytes, stream, <see cref="FaceImage"/>, async batches, and BGRA or
/// grayscale images — against the BGR <see cref="Mat"/> path, whose output is checked against a plain ONNX Runtime run
/// in <see cref="EmbedderTests"/>.
/// </summary>
[TestClass]
public sealed class EmbedderInputTests
{
    private static readonly Point2f[] Landmarks = [new(88, 102), new(160, 101), new(124, 142), new(94, 184), new(154, 183)];

    private static Mat Photo() => RandomImage(250, 250, 7);

    [TestMethod]
    public void FileBytesAndStreamGiveTheMatResult()
    {
        using var dir = new TempDir();
        using var photo = Photo();
        string png = dir.File("photo.png");
        Cv2.ImWrite(png, photo);
        using var embedder = new Embedder(ModelPath);
        var expected = embedder.Embed(photo, Landmarks);   // PNG is lossless: the decoded pixels equal the Mat's
        CollectionAssert.AreEqual(expected, embedder.Embed(png, Landmarks));
        CollectionAssert.AreEqual(expected, embedder.Embed(File.ReadAllBytes(png), Landmarks));
        using (var stream = File.OpenRead(png)) CollectionAssert.AreEqual(expected, embedder.Embed(stream, Landmarks));
        CollectionAssert.AreEqual(expected, embedder.Embed(FaceImage.FromEncoded(File.ReadAllBytes(png), Landmarks)));
    }

    [TestMethod]
    public void BgraAndGrayscaleAreConvertedNotRejected()
    {
        using var photo = Photo();
        using var embedder = new Embedder(ModelPath);
        using var bgra = new Mat();
        Cv2.CvtColor(photo, bgra, ColorConversionCodes.BGR2BGRA);
        CollectionAssert.AreEqual(embedder.Embed(photo, Landmarks), embedder.Embed(bgra, Landmarks), "BGRA photo");

        using var gray = new Mat();
        Cv2.CvtColor(photo, gray, ColorConversionCodes.BGR2GRAY);
        using var grayAsBgr = new Mat();
        Cv2.CvtColor(gray, grayAsBgr, ColorConversionCodes.GRAY2BGR);
        CollectionAssert.AreEqual(embedder.Embed(grayAsBgr, Landmarks), embedder.Embed(gray, Landmarks), "grayscale photo");

        using var face = RandomImage(96, 112, 3);
        using var grayFace = new Mat();
        Cv2.CvtColor(face, grayFace, ColorConversionCodes.BGR2GRAY);
        using var grayFaceBgr = new Mat();
        Cv2.CvtColor(grayFace, grayFaceBgr, ColorConversionCodes.GRAY2BGR);
        CollectionAssert.AreEqual(embedder.EmbedAligned(grayFaceBgr), embedder.EmbedAligned(grayFace), "grayscale aligned face");
        var e = embedder.Embed(FaceImage.FromMat(grayFace));
        Assert.AreEqual(embedder.Dimension, e.Length);
    }

    [TestMethod]
    public void UnusableInputsGiveClearErrors()
    {
        using var dir = new TempDir();
        using var embedder = new Embedder(ModelPath);
        var corrupt = Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(FaceImage.FromEncoded(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 }, Landmarks, "upload-17")));
        StringAssert.Contains(corrupt.Message, "upload-17");
        StringAssert.Contains(corrupt.Message, "not a decodable image");
        Assert.AreEqual(FaceInputError.Undecodable, corrupt.Reason);
        Assert.AreEqual("upload-17", corrupt.InputName);
        Assert.AreEqual(FaceInputError.Undecodable, Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(Array.Empty<byte>(), Landmarks)).Reason);
        string truncated = dir.File("cut.jpg");
        using (var photo = Photo()) File.WriteAllBytes(truncated, photo.ImEncode(".jpg")[..100]);
        var cut = Assert.Throws<Exception>(() => embedder.Embed(truncated, Landmarks));
        Assert.IsInstanceOfType<FaceInputException>(cut);
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => embedder.Embed(dir.File("missing.png"), Landmarks)).Message, "missing.png");
        using var deep = new Mat(112, 96, MatType.CV_16UC3, Scalar.All(100));
        var deepError = Assert.ThrowsExactly<FaceInputException>(() => embedder.EmbedAligned(deep));
        StringAssert.Contains(deepError.Message, "CV_8UC3");
        Assert.AreEqual(FaceInputError.UnsupportedImage, deepError.Reason);
        // A photo without landmarks goes to the detector; random pixels hold no face: the typed outcome, naming the photo.
        var unaligned = Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(FaceImage.FromMat(Photo(), null, "big photo")));
        Assert.AreEqual(FaceInputError.NoFace, unaligned.Reason);
        StringAssert.Contains(unaligned.Message, "big photo");
        StringAssert.Contains(unaligned.Message, "landmarks");
        Assert.AreEqual(FaceInputError.InvalidLandmarks, Assert.ThrowsExactly<FaceInputException>(() => FaceImage.FromFile("x.png", Landmarks[..4])).Reason);
    }

    [TestMethod]
    public async Task EmbedAsyncEqualsTheSynchronousCallAndHonoursCancellation()
    {
        using var dir = new TempDir();
        var faces = new List<FaceImage>();
        for (int i = 0; i < 5; i++)
        {
            string path = dir.File($"f{i}.png");
            using var img = RandomImage(96, 112, 40 + i);
            Cv2.ImWrite(path, img);
            faces.Add(FaceImage.FromFile(path));
        }
        using var embedder = new Embedder(ModelPath, new EmbedderOptions { MaxBatch = 2 });
        var expected = embedder.Embed(faces);
        var actual = await embedder.EmbedAsync(faces);
        for (int i = 0; i < faces.Count; i++) CollectionAssert.AreEqual(expected[i], actual[i], $"face {i}");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => embedder.EmbedAsync(faces, cancelled.Token));
    }
}
