using SphereFace.Tests.Support;
using SphereFace.Training.Data.Formats;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class PairsFileTests
{
    private static IReadOnlyList<PairsFold> RandomFolds(int folds, int perFold, Random rng)
    {
        string Name() => $"Person_{rng.Next(40)}";
        return Enumerable.Range(0, folds).Select(_ =>
        {
            var matched = Enumerable.Range(0, perFold).Select(_ => { var n = Name(); return new FacePair(n, 1 + rng.Next(9), n, 1 + rng.Next(9)); }).ToList();
            var mismatched = Enumerable.Range(0, perFold).Select(_ =>
            {
                string a = Name(), b;
                do b = Name(); while (b == a);
                return new FacePair(a, 1 + rng.Next(9), b, 1 + rng.Next(9));
            }).ToList();
            return new PairsFold(matched, mismatched);
        }).ToList();
    }

    [TestMethod]
    public void RoundTripsTenFolds()
    {
        using var tmp = new TempDir();
        var folds = RandomFolds(10, 30, new Random(4));
        PairsFile.Write(tmp.File("pairs.txt"), folds);
        var first = File.ReadLines(tmp.File("pairs.txt")).First();
        Assert.AreEqual("10\t30", first);
        var back = PairsFile.Read(tmp.File("pairs.txt"));
        Assert.HasCount(10, back);
        for (int f = 0; f < 10; f++)
        {
            CollectionAssert.AreEqual(folds[f].Matched.ToList(), back[f].Matched.ToList());
            CollectionAssert.AreEqual(folds[f].Mismatched.ToList(), back[f].Mismatched.ToList());
        }
        Assert.IsTrue(back.SelectMany(f => f.Matched).All(p => p.Same));
        Assert.IsTrue(back.SelectMany(f => f.Mismatched).All(p => !p.Same));
    }

    [TestMethod]
    public void ReadsLfwStyleTextAndSingleNumberHeader()
    {
        var folds = PairsFile.Parse(new StringReader("2\nAbel_Pacheco\t1\t4\nAkhmed_Zakayev 1 3\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\nAbdel_Madi_Shabneh 1 Giancarlo_Fisichella 1\n"), "pairsDevTrain.txt");
        Assert.HasCount(1, folds);
        Assert.AreEqual(new FacePair("Abel_Pacheco", 1, "Abel_Pacheco", 4), folds[0].Matched[0]);
        Assert.AreEqual(new FacePair("Abdel_Madi_Shabneh", 1, "Giancarlo_Fisichella", 1), folds[0].Mismatched[1]);
        Assert.AreEqual("Abel_Pacheco/Abel_Pacheco_0004.jpg", FacePair.ImagePath("Abel_Pacheco", 4));
    }

    [TestMethod]
    [DataRow("1 1\nA 1 2\nB 1\n", "p.txt:3:", "mismatched")]
    [DataRow("1 1\nA 1 C 2\nA 1 B 1\n", "p.txt:2:", "matched pair")]
    [DataRow("1 1\nA 1 x\nA 1 B 1\n", "p.txt:2:", "'x'")]
    [DataRow("2 1\nA 1 2\nA 1 B 1\n", "p.txt:3:", "ends early")]
    [DataRow("1 1\nA 1 2\nA 1 B 1\nC 1 2\n", "p.txt:4:", "extra line")]
    [DataRow("1 1\nA 1 2\nA 1 A 3\n", "p.txt:3:", "same identity")]
    [DataRow("1 2 3\n", "p.txt:1:", "header")]
    [DataRow("1 1\nA 0 2\nA 1 B 1\n", "p.txt:2:", "≥ 1")]
    public void MalformedLinesNameFileAndLine(string text, string location, string detail)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PairsFile.Parse(new StringReader(text), "p.txt"));
        StringAssert.Contains(e.Message, location);
        StringAssert.Contains(e.Message, detail);
    }
}
