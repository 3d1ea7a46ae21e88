using SphereFace.Tests.Support;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;
using SphereFace.Training.Data.Synthetic;
using SphereFace.Alignment.Formats;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class FaceDatasetTests
{
    [TestMethod]
    public void MissingLandmarksAreListedOrSkippedOnRequest()
    {
        using var tmp = new TempDir();
        SyntheticFaceSet.Generate(tmp.Path, SyntheticFaceSetTests.Tiny());
        string images = tmp.File(SyntheticFaceSet.ImagesFolder);
        var marks = LandmarkListFile.Read(tmp.File(SyntheticFaceSet.LandmarksFile));
        var dropped = new[] { marks[0].RelativePath, marks[5].RelativePath };
        LandmarkListFile.Write(tmp.File("partial.txt"), marks.Where(m => !dropped.Contains(m.RelativePath)));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => FaceDataset.Load(images, tmp.File("partial.txt")));
        StringAssert.Contains(e.Message, "2 images");
        foreach (var d in dropped) StringAssert.Contains(e.Message, d);

        var skipped = FaceDataset.Load(images, tmp.File("partial.txt"), missing: MissingLandmarks.Skip);
        Assert.AreEqual(2, skipped.SkippedWithoutLandmarks);
        Assert.AreEqual(marks.Count - 2, skipped.Samples.Count);
        Assert.IsFalse(skipped.Samples.Any(s => dropped.Any(d => s.Path.EndsWith(d, StringComparison.Ordinal))));
    }

    [TestMethod]
    public void IdentityListSelectsAndOrdersLabels()
    {
        using var tmp = new TempDir();
        SyntheticFaceSet.Generate(tmp.Path, SyntheticFaceSetTests.Tiny());
        string images = tmp.File(SyntheticFaceSet.ImagesFolder);
        var test = IdentityListFile.Read(tmp.File(SyntheticFaceSet.TestFile)).Reverse().ToList();
        var dataset = FaceDataset.Load(images, tmp.File(SyntheticFaceSet.LandmarksFile), test);
        CollectionAssert.AreEqual(test, dataset.Identities.ToList());
        foreach (var s in dataset.Samples)
            Assert.AreEqual(test[s.Label], Path.GetFileName(Path.GetDirectoryName(s.Path)));
        Assert.AreEqual(test.Sum(n => Directory.GetFiles(Path.Combine(images, n)).Length), dataset.Samples.Count);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => FaceDataset.Load(images, null, ["id_00001", "nobody"]));
        StringAssert.Contains(e.Message, "nobody");
    }

    [TestMethod]
    public void ImageFolderNeedsIdentitySubfolders()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("loose.jpg"), "x");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => FaceDataset.Load(tmp.Path)).Message, "root/<identity>/<image>");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => FaceDataset.Load(tmp.File("absent")));
    }
}
