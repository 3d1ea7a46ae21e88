using SphereFace.Tests.Support;
using OpenCvSharp;
using SphereFace.Training.Data.Formats;
using SphereFace.Alignment.Formats;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class LandmarkListFileTests
{
    private static LandmarkEntry Entry(string path, Random rng) =>
        new(path, Enumerable.Range(0, 5).Select(_ => new Point2f((float)Math.Round(rng.NextDouble() * 250, 3), (float)Math.Round(rng.NextDouble() * 250, 3))).ToArray());

    [TestMethod]
    public void PlainTextRoundTrips()
    {
        using var tmp = new TempDir();
        var rng = new Random(1);
        var entries = Enumerable.Range(0, 50).Select(i => Entry($"person_{i % 7}/img_{i}.jpg", rng)).ToList();
        LandmarkListFile.Write(tmp.File("marks.txt"), entries);
        var back = LandmarkListFile.Read(tmp.File("marks.txt"));
        Assert.HasCount(entries.Count, back);
        for (int i = 0; i < entries.Count; i++)
        {
            Assert.AreEqual(entries[i].RelativePath, back[i].RelativePath);
            for (int k = 0; k < 5; k++)
            {
                Assert.AreEqual(entries[i].Points[k].X, back[i].Points[k].X, 5e-4);
                Assert.AreEqual(entries[i].Points[k].Y, back[i].Points[k].Y, 5e-4);
            }
        }
    }

    [TestMethod]
    public void AcceptsLabelColumnCommentsAndCsvWithHeader()
    {
        string withLabel = "# comment\n\n0000045/001.jpg 0 1 2 3 4 5 6 7 8 9 10\n.\\0000045/002.jpg\t0\t11 12 13 14 15 16 17 18 19 20\n";
        var a = LandmarkListFile.Parse(new StringReader(withLabel), "casia.txt");
        Assert.AreEqual("0000045/001.jpg", a[0].RelativePath);
        Assert.AreEqual("0000045/002.jpg", a[1].RelativePath);
        Assert.AreEqual(new Point2f(9, 10), a[0].Points[4]);
        Assert.AreEqual(new Point2f(11, 12), a[1].Points[0]);

        string csv = "image_id,lefteye_x,lefteye_y,righteye_x,righteye_y,nose_x,nose_y,leftmouth_x,leftmouth_y,rightmouth_x,rightmouth_y\n" +
                     "000001.jpg,69,109,106,113,77,142,73,152,108,154\n";
        var b = LandmarkListFile.Parse(new StringReader(csv), "celeba.csv");
        Assert.HasCount(1, b);
        Assert.AreEqual(new Point2f(69, 109), b[0].Points[0]);
        Assert.AreEqual(new Point2f(108, 154), b[0].Points[4]);
    }

    [TestMethod]
    [DataRow("a.jpg 1 2 3 4 5 6 7 8 9 10\nb.jpg 1 2 3\n", "bad.txt:2:", "got a path and 3 values")]
    [DataRow("a.jpg 1 2 3 4 5 6 7 8 9 10\n\n# x\nb.jpg 1 2 3 4 5 6 7 8 nine 10\n", "bad.txt:4:", "'nine'")]
    [DataRow("a.jpg 1 2 3 4 5 6 7 8 9 10\na.jpg 1 2 3 4 5 6 7 8 9 10\n", "bad.txt:2:", "first given on line 1")]
    [DataRow("a.jpg 1 2 3 4 5 6 7 8 9 NaN\n", "bad.txt:1:", "not a finite number")]
    [DataRow("a.jpg -1 1 2 3 4 5 6 7 8 9 10\n", "bad.txt:1:", "integer")]
    [DataRow("path,x1,y1\na.jpg,1,2\n", "bad.txt:1:", "11 columns")]
    [DataRow("p,a,b,c,d,e,f,g,h,i,j\na.jpg,1,2,3,4,5,6,7,8,9\n", "bad.txt:2:", "got a path and 9 values")]
    public void MalformedLinesNameFileAndLine(string text, string location, string detail)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => LandmarkListFile.Parse(new StringReader(text), "bad.txt"));
        StringAssert.Contains(e.Message, location);
        StringAssert.Contains(e.Message, detail);
    }
}
