using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Native;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;

namespace SphereFace.Tests.Training;

/// <summary>
/// A graph folder laid out for another CPU's vectors (nChw16c built on an AVX-512 machine, trained on an AVX2 one, or
/// the other way round) trains here: the step is re-derived for this CPU's layout with one line saying so, from the
/// folder's own initial values, and reaches the same bits as a run built here.
/// </summary>
[TestClass]
[TestCategory("KernelPaths")]
public sealed class GraphPortabilityTests
{
    [TestMethod]
    public void AFolderBuiltForTheOtherLayoutTrainsHereAsIfBuiltHere()
    {
        int other = DnnlPlugin.Blocks.Single(b => b != TestKernels.Block);
        if (KernelChoice.CanRun(Kernels.OneDnn, other, out _))
        {
            Console.WriteLine($"oneDNN {DnnlPlugin.Machine.Isa} runs nChw{other}c as well: the folder trains as it is");
            return;
        }
        using var dir = new TempDir();
        var spec = new GraphFolderSpec(new SphereNetConfig(10), LossConfig.Of("softmax"), 8, 4, new SolverSpec(), new KernelChoice(Kernels.OneDnn, other), 1);
        GraphFolder.Write(dir.File("elsewhere"), GraphFolder.Build(spec));
        string[] run = ["--data", "random:16", "--iterations", "2", "--threads", "2", "--log-every", "1", "--checkpoint-every", "2"];
        var (code, _, error) = CliRun.RunCapturing(["train", "--graph", dir.File("elsewhere"), .. run, "--out", dir.File("re-derived")]);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(error, $"laid out for nChw{other}c");
        StringAssert.Contains(error, DnnlPlugin.Machine.Isa);
        var (code2, _, error2) = CliRun.RunCapturing(["train", "--net", "sphere10", "--loss", "softmax", "--classes", "8", "--batch", "4", .. run, "--out", dir.File("here")]);
        Assert.AreEqual(0, code2, error2);
        var a = CheckpointFile.Load(dir.File("re-derived/checkpoint.safetensors")).Tensors.ToDictionary(t => t.Name, t => t.Data);
        var b = CheckpointFile.Load(dir.File("here/checkpoint.safetensors")).Tensors.ToDictionary(t => t.Name, t => t.Data);
        foreach (var (name, values) in b) CollectionAssert.AreEqual(values, a[name], $"'{name}' differs from the run built here");
    }
}
