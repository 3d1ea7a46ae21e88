using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Distributed;

namespace SphereFace.Tests.Distributed;

/// <summary>
/// <see cref="DataParallel.AverageStep"/> against the mean computed here in double precision, with the other ranks
/// simulated: each "sum" adds what K − 1 other ranks hold (a fixed offset pattern per rank).
/// </summary>
[TestClass]
public sealed class DataParallelAveragingTests
{
    /// <summary>K ranks whose values are this rank's plus r·δ for rank r = 1 … K − 1 (δ per element).</summary>
    private sealed class SimulatedRanks(int size, float delta) : ICollectives
    {
        public int Rank => 0;
        public int Size => size;
        public bool Agreement { get; set; } = true;
        public void Sum(Span<float> values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double total = values[i];
                for (int r = 1; r < size; r++) total += values[i] + r * delta * (i % 7 - 3);
                values[i] = (float)total;
            }
        }
        public void Sum(Span<double> values) { for (int i = 0; i < values.Length; i++) values[i] *= size; }
        public bool AllEqual(ulong value) => Agreement;
    }

    private static readonly CarriedTensor[] Carried =
    [
        new("w", [5], CarriedKind.Parameter), new("b", [3], CarriedKind.Parameter),
        new("momentum/w", [5], CarriedKind.Momentum), new("momentum/b", [3], CarriedKind.Momentum),
    ];

    private static float[][] Step(float[][] previous, bool caffeUpdate)
    {
        // v' = some values; w' = w − v' (Caffe), or w' = w − 2v' (an edited update).
        var next = previous.Select(a => a.ToArray()).ToArray();
        for (int t = 2; t < 4; t++) for (int i = 0; i < next[t].Length; i++) next[t][i] = 0.1f * (i + 1) + 0.01f * t;
        for (int t = 0; t < 2; t++) for (int i = 0; i < next[t].Length; i++) next[t][i] = previous[t][i] - (caffeUpdate ? 1 : 2) * next[t + 2][i];
        return next;
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void EveryTensorBecomesTheMeanOverTheRanks(bool caffeUpdate)
    {
        const int k = 4;
        const float delta = 1e-3f;
        var previous = new[] { new float[] { 1, -2, 3, 0.5f, 7 }, new float[] { 0.25f, -1, 2 }, new float[5], new float[3] };
        var next = Step(previous, caffeUpdate);
        var before = next.Select(a => a.ToArray()).ToArray();
        var parallel = new DataParallel(new SimulatedRanks(k, delta));
        var (loss, accuracy) = parallel.AverageStep(2.5f, 0.5f, Carried, i => next[i], i => previous[i]);
        Assert.AreEqual(2.5f, loss, 1e-6f);
        Assert.AreEqual(0.5f, accuracy, 1e-6f);
        Assert.AreEqual(caffeUpdate, parallel.MomentaOnly, "only the momenta travel exactly when the step computed w' = w − v'");
        // The other ranks' values differ from this rank's by r·δ·(i mod 7 − 3): their mean adds δ·(K − 1)/2·(i mod 7 − 3).
        for (int t = 0; t < 4; t++)
            for (int i = 0; i < next[t].Length; i++)
            {
                double offset = delta * (k - 1) / 2.0 * (i % 7 - 3);
                double expected = caffeUpdate && t < 2
                    ? (double)previous[t][i] - (before[t + 2][i] + offset)   // w' = w − mean(v'): the others' w' are not read
                    : before[t][i] + offset;
                Assert.AreEqual(expected, next[t][i], 1e-6, $"{Carried[t].Input}[{i}]");
            }
    }

    [TestMethod]
    public void RanksThatDisagreeOnTheUpdateFormAverageEverything()
    {
        var previous = new[] { new float[] { 1, -2, 3, 0.5f, 7 }, new float[] { 0.25f, -1, 2 }, new float[5], new float[3] };
        var next = Step(previous, caffeUpdate: true);
        var parallel = new DataParallel(new SimulatedRanks(2, 0) { Agreement = false });
        parallel.AverageStep(1f, 0f, Carried, i => next[i], i => previous[i]);
        Assert.IsFalse(parallel.MomentaOnly);
    }

    [TestMethod]
    public void AStopAskedOnOneRankIsAgreedAfterTheStep()
    {
        var parallel = new DataParallel(new SimulatedRanks(2, 0));
        var none = Array.Empty<float>();
        parallel.AverageStep(1f, 0f, [], _ => none, _ => none);
        Assert.IsFalse(parallel.StopAgreed);
        parallel.RequestStop();
        Assert.IsFalse(parallel.StopAgreed, "not before the next step's agreement");
        parallel.AverageStep(1f, 0f, [], _ => none, _ => none);
        Assert.IsTrue(parallel.StopAgreed);
    }
}
