using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Tests.Alignment;

[TestClass]
public sealed class FacePreprocessTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void WritesRgbPlanesNormalisedAndOptionallyMirrored(bool flip)
    {
        using var face = new Mat(new Size(96, 112), MatType.CV_8UC3);
        Cv2.Randu(face, Scalar.All(0), Scalar.All(256));
        var dest = new float[3 * 112 * 96];
        FacePreprocess.ToTensor(face, dest, flip);
        for (int y = 0; y < 112; y++)
            for (int x = 0; x < 96; x++)
            {
                var px = face.At<Vec3b>(y, flip ? 95 - x : x);
                // channel 0 is red (BGR index 2), 1 green, 2 blue.
                Assert.AreEqual((px.Item2 - 127.5) / 128.0, dest[0 * 112 * 96 + y * 96 + x], 1e-6);
                Assert.AreEqual((px.Item1 - 127.5) / 128.0, dest[1 * 112 * 96 + y * 96 + x], 1e-6);
                Assert.AreEqual((px.Item0 - 127.5) / 128.0, dest[2 * 112 * 96 + y * 96 + x], 1e-6);
            }
    }

    [TestMethod]
    public void HandlesNonContinuousRoi()
    {
        using var big = new Mat(new Size(120, 130), MatType.CV_8UC3);
        Cv2.Randu(big, Scalar.All(0), Scalar.All(256));
        using var roi = new Mat(big, new Rect(7, 5, 96, 112));
        using var copy = roi.Clone();
        var a = new float[3 * 112 * 96];
        var b = new float[3 * 112 * 96];
        FacePreprocess.ToTensor(roi, a);
        FacePreprocess.ToTensor(copy, b);
        CollectionAssert.AreEqual(b, a);
    }

    [TestMethod]
    public void RejectsWrongSizeTypeOrShortBufferNamingTheExpectation()
    {
        using var wrong = new Mat(new Size(100, 100), MatType.CV_8UC3, Scalar.All(1));
        var e = Assert.ThrowsExactly<ArgumentException>(() => FacePreprocess.ToTensor(wrong, new float[30000]));
        StringAssert.Contains(e.Message, "96×112");
        using var gray = new Mat(new Size(96, 112), MatType.CV_8UC1, Scalar.All(1));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FacePreprocess.ToTensor(gray, new float[3 * 112 * 96])).Message, "CV_8UC3");
        using var ok = new Mat(new Size(96, 112), MatType.CV_8UC3, Scalar.All(1));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FacePreprocess.ToTensor(ok, new float[100])).Message, "32256");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FacePreprocess.ToTensor(ok, new float[3 * 112 * 112], FaceTemplateKind.Sphere112x112)).Message, "112×112");
    }
}
