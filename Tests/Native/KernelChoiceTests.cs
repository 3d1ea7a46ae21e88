using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Native;
using SphereFace.Tests.Losses;
using SphereFace.Tests.Support;
using SphereFace.Training.Session;

namespace SphereFace.Tests.Native;

/// <summary>
/// The automatic kernel choice on this machine (run natively and, on an AVX-512 CPU, again under
/// ONEDNN_MAX_CPU_ISA=AVX2): what <see cref="KernelChoice.Resolve"/> picks, that the probe's answers are what a real
/// training step then runs, and that no step runs a reference implementation.
/// </summary>
[TestClass]
[TestCategory("KernelPaths")]
public sealed class KernelChoiceTests
{
    [TestMethod]
    public void AutoPicksTheBlockOfThisCpusVectors()
    {
        var machine = DnnlPlugin.Machine;
        Console.WriteLine($"{machine.Summary}; problem: {machine.Problem ?? "none"}");
        int expected = machine.Isa.StartsWith("avx512", StringComparison.Ordinal) ? 16 : 8;
        Assert.AreEqual(expected, TestKernels.Block, $"oneDNN {machine.Isa}");
        Assert.AreEqual(new KernelChoice(Kernels.OneDnn, expected), KernelChoice.Resolve(Kernels.Auto));
        Assert.AreEqual(new KernelChoice(Kernels.OneDnnDirect, expected), KernelChoice.Resolve(Kernels.OneDnnDirect));
        Assert.AreEqual(KernelChoice.Standard, KernelChoice.Resolve(Kernels.Standard));
        var cuda = KernelChoice.Resolve(Kernels.Auto, ExecutionDevice.Cuda);
        Assert.AreEqual(Kernels.Standard, cuda.Kernels);
        StringAssert.Contains(cuda.Reason, "CPU only");
        Assert.IsTrue(machine.Primitives.Count >= 14 && machine.Primitives.All(p => !p.IsSlow), string.Join("; ", machine.Primitives));
    }

    /// <summary>A graph in the other block is runnable exactly where the probe says so; if not, the reason names the op and the ISA.</summary>
    [TestMethod]
    public void TheOtherBlockIsJudgedByTheProbe()
    {
        int other = DnnlPlugin.Blocks.Single(b => b != TestKernels.Block);
        bool runnable = KernelChoice.CanRun(Kernels.OneDnn, other, out string? problem);
        var slow = DnnlPlugin.Probe(other).Where(p => p.IsSlow).ToArray();
        Console.WriteLine($"nChw{other}c on oneDNN {DnnlPlugin.Machine.Isa}: {problem ?? "runs"}");
        Assert.AreEqual(slow.Length == 0, runnable);
        if (!runnable)
        {
            StringAssert.Contains(problem, slow[0].What);
            StringAssert.Contains(problem, DnnlPlugin.Machine.Isa);
        }
    }

    /// <summary>
    /// Every primitive a real SF-10 training step (Winograd and direct, forward and both gradients, PReLU, Gemm) makes on
    /// this machine is one of the probe's answers for that kind, and none is oneDNN's reference code.
    /// </summary>
    [TestMethod]
    public void ATrainingStepRunsWhatTheProbeAnswered()
    {
        var store = new ParameterStore(3);
        var step = TrainStepGraph.Build(new TrainStepConfig(new SphereNetConfig(10), TestLoss.Of("softmax", m: 4), 10, 2, new SolverSpec(),
            KernelChoice.Resolve(Kernels.Auto)), store);
        int before = DnnlPlugin.Implementations().Count;
        using (var session = new TrainStepSession(step.Model, step.Contract, new TrainSessionOptions(Threads: 2, Configure: o => PluginLibrary.Dnnl.Register(o))))
        {
            foreach (var c in step.Carried.Where(c => c.Kind == CarriedKind.Parameter)) session.WriteCarried(c.Input, store[c.Input].Data);
            session.Step(0.01f, 1f);
        }
        var ran = DnnlPlugin.Implementations().Skip(before).ToArray();
        var answered = DnnlPlugin.Machine.Primitives.Select(p => p.Implementation).ToHashSet();
        Assert.IsTrue(ran.Length >= 4 * 3 + 2, $"only {ran.Length} primitives were made");
        foreach (var r in ran)
        {
            Assert.IsFalse(r.Name.StartsWith("ref", StringComparison.Ordinal), $"{r.Op} {r.Node} ran {r.Name}");
            Assert.IsTrue(answered.Contains(r.Name), $"{r.Op} {r.Node} ran {r.Name}, which the probe never answered ({string.Join(", ", answered)})");
        }
        Assert.IsTrue(ran.Any(r => r.Name.Contains("wino", StringComparison.Ordinal)), "the stride-1 convs ran Winograd");
    }
}
