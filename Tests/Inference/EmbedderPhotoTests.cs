using OpenCvSharp;
using SphereFace.Inference;
using SphereFace.Models.Errors;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Inference;

/// <summary>
/// The Embedder on photos given without landmarks: it finds the faces itself, with the same result as the photo
/// embedded with the detector's points; every face of a group photo; a photo without a face is a typed outcome.
/// </summary>
[TestClass]
public sealed class EmbedderPhotoTests
{
    [TestMethod]
    public void APhotoWithoutLandmarksEmbedsItsMostProminentFace()
    {
        using var embedder = new Embedder(EmbedderFixture.ModelPath);
        string path = RealPhotos.Get("sample5").Path;
        var largest = embedder.Detector.Detect(path).MaxBy(f => f.Area)!;
        var detected = embedder.Embed(path);
        var given = embedder.Embed(path, largest.Landmarks);
        CollectionAssert.AreEqual(given, detected, "Embed(photo) = Embed(photo, the largest face's points)");
    }

    [TestMethod]
    public void EveryFaceOfAGroupPhotoIsEmbedded()
    {
        using var embedder = new Embedder(EmbedderFixture.ModelPath);
        string path = RealPhotos.Get("sample4").Path;
        var faces = embedder.EmbedFaces(path);
        Assert.AreEqual(4, faces.Count);
        using var photo = Cv2.ImRead(path);
        foreach (var f in faces)
        {
            Assert.AreEqual(embedder.Dimension, f.Embedding.Length);
            CollectionAssert.AreEqual(embedder.Embed(photo, f.Face.Landmarks), f.Embedding);
        }
    }

    [TestMethod]
    public void APhotoWithoutAFaceIsATypedOutcome()
    {
        using var dir = new TempDir();
        using (var blank = new Mat(300, 400, MatType.CV_8UC3, new Scalar(40, 80, 120))) Cv2.ImWrite(dir.File("wall.png"), blank);
        using var embedder = new Embedder(EmbedderFixture.ModelPath);
        Assert.AreEqual(0, embedder.EmbedFaces(dir.File("wall.png")).Count);
        var e = Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(dir.File("wall.png")));
        Assert.AreEqual(FaceInputError.NoFace, e.Reason);
        Assert.AreEqual(dir.File("wall.png"), e.InputName);
        StringAssert.Contains(e.Message, "wall.png");
    }

    /// <summary>Verify of two photos needs a stamped threshold: without one it fails before any photo is read.</summary>
    [TestMethod]
    public void VerifyingPhotosWithoutAThresholdFailsFirst()
    {
        using var embedder = new Embedder(EmbedderFixture.ModelPath);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => embedder.Verify(FaceImage.FromFile("/no/such/a.jpg"), FaceImage.FromFile("/no/such/b.jpg")));
        StringAssert.Contains(e.Message, "--stamp");
    }
}
