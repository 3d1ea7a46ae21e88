using SphereFace.Tests.Losses;
using SphereFace.Graphs.Losses;
using SphereFace.Models.Native;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Session;

namespace SphereFace.Tests.TrainStep;

/// <summary>
/// End to end: SF-4 + A-Softmax (m = 4, native ψ) trained by the derived train-step graph on a small fixed
/// random-label set memorises it — the loss falls in trend and training accuracy reaches 100 %.
/// </summary>
[TestClass]
public sealed class MemorisationTests
{
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void SphereFour_ASoftmax_MemorisesRandomLabels()
    {
        const int batch = 8, classes = 4, maxSteps = 150;
        var store = new ParameterStore(21);
        var step = TrainStepGraph.Build(new TrainStepConfig(new SphereNetConfig(4), TestLoss.Of("asoftmax", m: 4), classes, batch, new SolverSpec()), store);
        using var session = new TrainStepSession(step.Model, step.Contract, new TrainSessionOptions(Threads: 2, Configure: MarginPlugin.Register));
        foreach (var c in step.Carried)
            if (c.Kind == CarriedKind.Parameter) session.WriteCarried(c.Input, store[c.Input].Data);
        var rng = new SeededRandom(5);
        var data = session.DataBuffer;
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        var labels = session.LabelBuffer;
        for (int i = 0; i < batch; i++) labels[i] = i % classes; // every class present, fixed assignment

        var losses = new List<float>();
        float accuracy = 0;
        for (int t = 0; t < maxSteps && accuracy < 1f; t++)
        {
            float lambda = Math.Max(5f, 1000f / (1 + 0.5f * t)); // A-Softmax annealing: from softmax-like towards the margin
            var r = session.Step(0.01f, lambda);
            Assert.IsFalse(float.IsNaN(r.Loss), $"NaN loss at step {t}");
            losses.Add(r.Loss);
            accuracy = r.Accuracy;
        }
        Assert.AreEqual(1f, accuracy, $"training accuracy after {losses.Count} steps; losses {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
        int k = Math.Max(1, losses.Count / 4);
        Assert.IsTrue(losses.TakeLast(k).Average() < losses.Take(k).Average(),
            $"loss did not fall: first {losses.Take(k).Average():F3}, last {losses.TakeLast(k).Average():F3}");
    }
}
