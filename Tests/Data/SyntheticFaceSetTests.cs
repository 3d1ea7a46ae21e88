using SphereFace.Tests.Support;
using System.Security.Cryptography;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;
using SphereFace.Training.Data.Synthetic;
using SphereFace.Alignment.Formats;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class SyntheticFaceSetTests
{
    internal static SyntheticFaceSetOptions Tiny(ulong seed = 5, int threads = 2) => new()
    {
        Identities = 8, TestFraction = 0.25, MaxImagesPerIdentity = 6, MinImagesPerIdentity = 2, Imbalance = 0.8,
        TestImagesPerIdentity = 3, ImageSize = 96, Folds = 1, PairsPerFold = 4, Seed = seed, Threads = threads,
    };

    /// <summary>SHA-256 over every file's relative path and bytes, in ordinal path order.</summary>
    private static string HashTree(string dir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\n"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(dir, file)));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    [TestMethod]
    public void SameSeedGivesByteIdenticalFilesWhateverTheThreadCount()
    {
        using var tmp = new TempDir();
        SyntheticFaceSet.Generate(tmp.File("a"), Tiny(threads: 1));
        SyntheticFaceSet.Generate(tmp.File("b"), Tiny(threads: 2));
        SyntheticFaceSet.Generate(tmp.File("c"), Tiny(seed: 6));
        string a = HashTree(tmp.File("a"));
        Assert.AreEqual(a, HashTree(tmp.File("b")));
        Assert.AreNotEqual(a, HashTree(tmp.File("c")));
        // Regenerating into an existing set replaces it with the same bytes.
        SyntheticFaceSet.Generate(tmp.File("a"), Tiny(threads: 2));
        Assert.AreEqual(a, HashTree(tmp.File("a")));
    }

    [TestMethod]
    public void WritesConsistentLandmarksSplitsAndPairs()
    {
        using var tmp = new TempDir();
        var options = Tiny();
        int written = SyntheticFaceSet.Generate(tmp.Path, options);
        string images = tmp.File(SyntheticFaceSet.ImagesFolder);

        var files = Directory.GetFiles(images, "*.png", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(images, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.HasCount(written, files);
        var marks = LandmarkListFile.Read(tmp.File(SyntheticFaceSet.LandmarksFile));
        CollectionAssert.AreEqual(files, marks.Select(m => m.RelativePath).Order(StringComparer.Ordinal).ToList());
        foreach (var m in marks)
            Assert.IsTrue(m.Points.All(p => p.X >= 0 && p.Y >= 0 && p.X < options.ImageSize && p.Y < options.ImageSize), m.RelativePath);

        var train = IdentityListFile.Read(tmp.File(SyntheticFaceSet.TrainFile));
        var test = IdentityListFile.Read(tmp.File(SyntheticFaceSet.TestFile));
        Assert.HasCount(2, test);
        Assert.IsEmpty(train.Intersect(test));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 8).Select(SyntheticFaceSet.IdentityName).ToList(), train.Concat(test).ToList());

        // Per-identity counts follow max(min, round(max·r^−s)) over some ranking of the training identities.
        var trainCounts = train.Select(n => Directory.GetFiles(Path.Combine(images, n)).Length).OrderDescending().ToList();
        var expected = Enumerable.Range(1, train.Count).Select(r => Math.Max(2, (int)Math.Round(6 * Math.Pow(r, -0.8)))).OrderDescending().ToList();
        CollectionAssert.AreEqual(expected, trainCounts);
        Assert.IsTrue(test.All(n => Directory.GetFiles(Path.Combine(images, n)).Length == 3));

        var folds = PairsFile.Read(tmp.File(SyntheticFaceSet.PairsFileName));
        Assert.HasCount(1, folds);
        Assert.HasCount(4, folds[0].Matched);
        Assert.HasCount(4, folds[0].Mismatched);
        foreach (var p in folds[0].All)
        {
            Assert.Contains(p.Name1, test);
            Assert.Contains(p.Name2, test);
            Assert.IsTrue(File.Exists(Path.Combine(images, FacePair.ImagePath(p.Name1, p.Number1, ".png"))));
            Assert.IsTrue(File.Exists(Path.Combine(images, FacePair.ImagePath(p.Name2, p.Number2, ".png"))));
        }
        Assert.AreEqual(folds[0].All.Count(), folds[0].All.Distinct().Count(), "pairs are distinct");

        var stats = DatasetStatistics.Of(FaceDataset.Load(images, tmp.File(SyntheticFaceSet.LandmarksFile), train));
        Assert.AreEqual(trainCounts.Sum(), stats.Images);
        Assert.AreEqual(trainCounts.Max(), stats.MaxPerIdentity);
    }

    [TestMethod]
    public void RefusesAFolderThatIsNotASyntheticSet()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("precious.txt"), "keep me");
        var e = Assert.ThrowsExactly<IOException>(() => SyntheticFaceSet.Generate(tmp.Path, Tiny()));
        StringAssert.Contains(e.Message, "not empty");
        Assert.IsTrue(File.Exists(tmp.File("precious.txt")));
    }

    [TestMethod]
    public void ImpossiblePairRequestsAreRejectedBeforeRendering()
    {
        var e = Assert.ThrowsExactly<SphereFace.Models.Errors.InputException>(() => (Tiny() with { PairsPerFold = 100 }).Validate());
        StringAssert.Contains(e.Message, "pairs_per_fold");
    }
}
