using SphereFace.Training.Data;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class DatasetStatisticsTests
{
    [TestMethod]
    public void CountsMedianAndPowerOfTwoHistogram()
    {
        var rng = new Random(9);
        var counts = Enumerable.Range(0, 101).Select(_ => 1 + rng.Next(300)).ToArray();
        var s = DatasetStatistics.FromCounts(counts);
        Assert.AreEqual(101, s.Identities);
        Assert.AreEqual(counts.Sum(), s.Images);
        Assert.AreEqual(counts.Min(), s.MinPerIdentity);
        Assert.AreEqual(counts.Max(), s.MaxPerIdentity);
        Assert.AreEqual(counts.OrderBy(c => c).ElementAt(50), s.MedianPerIdentity);
        Assert.AreEqual((double)counts.Max() / counts.Min(), s.ImbalanceRatio, 1e-12);
        // Bucket k holds counts with floor(log2 c) = k.
        foreach (var (from, to, k) in s.Histogram)
        {
            int bucket = (int)Math.Floor(Math.Log2(from));
            Assert.AreEqual(counts.Count(c => (int)Math.Floor(Math.Log2(c)) == bucket), k, $"bucket {from}–{to}");
        }
        Assert.AreEqual(101, s.Histogram.Sum(h => h.Identities));
        StringAssert.Contains(s.Describe(), "identities: 101");
    }
}
