using SphereFace.Models.Native;
using SphereFace.Graphs.Parameters;
using SphereFace.Training.Session;

namespace SphereFace.Tests.Training;

[TestClass]
public sealed class TrainStepSessionTests
{
    private const int Batch = 8, Features = 5;

    private static (float[] Data, long[] Labels) Batch_(SeededRandom rng)
    {
        var data = new float[Batch * Features];
        var labels = new long[Batch];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(3);
        return (data, labels);
    }

    [TestMethod]
    public void PingPongStepsMatchDoublePrecisionSgdReference()
    {
        using var session = LinearSgdStepModel.Session(Batch, Features, new TrainSessionOptions(Threads: 1));
        CollectionAssert.AreEquivalent(new[] { "w", "b", "momentum/w", "momentum/b", "state/steps" }, session.Carried.Select(c => c.Input).ToArray());
        Assert.AreEqual(Batch, session.BatchSize);

        var init = new SeededRandom(7);
        var w0 = Enumerable.Range(0, Features).Select(_ => (float)init.Uniform(-0.5, 0.5)).ToArray();
        session.WriteCarried("w", w0);
        session.WriteCarried("b", [0.25f]);
        var reference = new LinearSgdStepModel.Reference(w0.Select(v => (double)v).ToArray(), 0.25);

        var rng = new SeededRandom(11);
        for (int step = 0; step < 7; step++)
        {
            var (data, labels) = Batch_(rng);
            data.CopyTo(session.DataBuffer);
            labels.CopyTo(session.LabelBuffer);
            float lr = 0.05f / (1 + step), lambda = 0.01f * step;
            var got = session.Step(lr, lambda);
            var want = reference.Step(data, labels, lr, lambda);
            Assert.AreEqual(want.Loss, got.Loss, 1e-5 * Math.Max(1, want.Loss), $"loss at step {step}");
            Assert.AreEqual(want.Accuracy, got.Accuracy, 1e-6, $"accuracy at step {step}");

            // Read after both even and odd steps: the current buffer set alternates.
            var w = session.ReadCarried("w");
            for (int j = 0; j < Features; j++) Assert.AreEqual(reference.W[j], w[j], 1e-5, $"w[{j}] after step {step}");
            Assert.AreEqual(reference.B, session.ReadCarried("b")[0], 1e-5, $"b after step {step}");
            var vw = session.ReadCarried("momentum/w");
            for (int j = 0; j < Features; j++) Assert.AreEqual(reference.Vw[j], vw[j], 1e-6, $"momentum/w[{j}] after step {step}");
            Assert.AreEqual(reference.Vb, session.ReadCarried("momentum/b")[0], 1e-6);
            Assert.AreEqual(step + 1, session.ReadCarried("state/steps")[0]);
        }
        Assert.AreEqual(7, session.StepsRun);
    }

    [TestMethod]
    public void WriteCarriedBetweenStepsReplacesTheCurrentValue()
    {
        using var session = LinearSgdStepModel.Session(Batch, Features, new TrainSessionOptions(Threads: 1));
        session.Step(0.1f, 0f); // odd number of steps: the current set is now B
        session.WriteCarried("state/steps", [41f]);
        session.Step(0.1f, 0f);
        Assert.AreEqual(42f, session.ReadCarried("state/steps")[0]);
    }

    [TestMethod]
    public void StepsDoNotAllocateManagedMemoryPerStep()
    {
        const int features = 4096; // 16 KiB per carried weight buffer
        using var session = LinearSgdStepModel.Session(Batch, features, new TrainSessionOptions(Threads: 1));
        session.Step(0.01f, 0f);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) session.Step(0.01f, 0f);
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        Assert.IsLessThan(1024, perStep, $"{perStep} managed bytes allocated per step");
    }

    [TestMethod]
    public void WrongBufferLengthAndUnknownNamesAreClearErrors()
    {
        using var session = LinearSgdStepModel.Session(Batch, Features, new TrainSessionOptions(Threads: 1));
        var e = Assert.ThrowsExactly<ArgumentException>(() => session.WriteCarried("w", new float[3]));
        StringAssert.Contains(e.Message, "'w'");
        var k = Assert.ThrowsExactly<KeyNotFoundException>(() => session.ReadCarried("nope"));
        StringAssert.Contains(k.Message, "nope");
    }

    [TestMethod]
    public void CudaOnCpuBuildFailsWithRebuildHint()
    {
        if (ExecutionDevices.CudaBuild) Assert.Inconclusive("CUDA build");
        var e = Assert.ThrowsExactly<SphereFace.Models.Errors.SphereFaceException>(() =>
            LinearSgdStepModel.Session(Batch, Features, new TrainSessionOptions(Device: ExecutionDevice.Cuda)));
        StringAssert.Contains(e.Message, "-p:UseCuda=true");
    }
}
