using SphereFace.Benchmarks.Embedding;

namespace SphereFace.Tests.Inference;

[TestClass]
public sealed class BenchTimingTests
{
    [TestMethod]
    public void CasesAlternateRoundByRoundAndEveryRoundTimesAtLeastTwoCalls()
    {
        var log = new List<(string Case, int Call)>();
        var cases = new[] { "a", "b", "c" }.Select(name => new BenchCase(name, 4, k => log.Add((name, k)))).ToList();

        var results = BenchTiming.MeasureInterleaved(cases, minSeconds: 0.03, rounds: 3);

        // After the warm-up, the log is a sequence of runs of one case; cases must follow a, b, c, a, b, c, a, b, c.
        var runs = new List<(string Case, int Length)>();
        foreach (var e in log.Skip(WarmupLength(log)))
            if (runs.Count > 0 && runs[^1].Case == e.Case) runs[^1] = (e.Case, runs[^1].Length + 1);
            else runs.Add((e.Case, 1));
        CollectionAssert.AreEqual(new[] { "a", "b", "c", "a", "b", "c", "a", "b", "c" }, runs.Select(r => r.Case).ToArray());
        Assert.IsTrue(runs.All(r => r.Length >= 3), "each round: one untimed call and at least two timed ones");

        // Call numbers keep counting across warm-up and rounds (photos rotate rather than repeat).
        foreach (var name in new[] { "a", "b", "c" })
        {
            var numbers = log.Where(e => e.Case == name).Select(e => e.Call).ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(0, numbers.Length).ToArray(), numbers);
            var result = results.Single(r => r.Name == name);
            Assert.AreEqual(4, result.Batch);
            Assert.AreEqual(runs.Where(r => r.Case == name).Sum(r => r.Length - 1), result.Calls, "timed calls exclude each round's first call");
        }
    }

    /// <summary>The warm-up runs each case in order for a second: a, …, b, …, c, … before round 1 starts again with a.</summary>
    private static int WarmupLength(List<(string Case, int Call)> log)
    {
        int i = 0;
        foreach (var name in new[] { "a", "b", "c" })
            while (i < log.Count && log[i].Case == name) i++;
        return i;
    }
}
