using SphereFace.Tests.Support;
using SphereFace.Training.Data.Formats;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class IdentityListFileTests
{
    [TestMethod]
    public void RoundTrips()
    {
        using var tmp = new TempDir();
        var names = Enumerable.Range(0, 30).Select(i => $"id_{i:D5}").Reverse().ToList();
        IdentityListFile.Write(tmp.File("ids.txt"), names);
        CollectionAssert.AreEqual(names, IdentityListFile.Read(tmp.File("ids.txt")).ToList());
    }

    [TestMethod]
    [DataRow("a\nb\na\n", "ids.txt:3:", "line 1")]
    [DataRow("a\nb c\n", "ids.txt:2:", "'b c'")]
    [DataRow("a\n\nx/y\n", "ids.txt:3:", "'x/y'")]
    public void MalformedLinesNameFileAndLine(string text, string location, string detail)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdentityListFile.Parse(new StringReader(text), "ids.txt"));
        StringAssert.Contains(e.Message, location);
        StringAssert.Contains(e.Message, detail);
    }
}
