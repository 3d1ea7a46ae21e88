using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Errors;
using SphereFace.Models.Native;
using System.Text.Json.Nodes;
using SphereFace.Cli.Experiments;
using SphereFace.Cli.Options;
using Google.Protobuf;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Tests.Losses;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;
using SphereFace.Training.Session;

namespace SphereFace.Tests.Training;

/// <summary>
/// The run spec (docs/run-spec.md): written and read back it is the same spec, builds the same graph and trains to the
/// same bits; unknown fields, other versions and out-of-range values are refused naming the field; the flat
/// configuration of older runs still reads; every spec and experiment file under configs/ loads and validates.
/// </summary>
[TestClass]
public sealed class RunSpecTests
{
    private static RunSpec Sample(LossConfig loss) => new()
    {
        Net = new NetSpec("sphere4", embeddingSize: 32), Loss = loss, Classes = 4, Batch = 4, Kernels = Kernels.OneDnn, Seed = 17,
        Solver = new SolverSpec { Iterations = 3, BaseLr = 0.02f, LrSteps = [2], LrGamma = 0.5f, Momentum = 0.8f, WeightDecay = 1e-3f },
        Lambda = new LambdaSchedule { Base = 100, Gamma = 0.3f, Power = 2, Min = 1 },
        Data = new DataSpec { Source = "random:8", Workers = 1, FlipProbability = 0.25 },
        Machine = new MachineSpec { Threads = 2 }, Output = new OutputSpec { LogEvery = 1, CheckpointEvery = 10 },
    };

    private static IReadOnlyList<(string Name, float[] Data)> TrainThreeSteps(RunSpec spec, string folder)
    {
        using var prepared = PreparedRun.Create(spec, new TrainSessionOptions(spec.Machine.Threads));
        new TrainingRun(prepared.Loop, new RunFolder(folder), prepared.Identity, spec.Solver.Iterations, 1, 10).Run(CancellationToken.None);
        return CheckpointFile.Load(Path.Combine(folder, "checkpoint.safetensors")).Tensors.Select(t => (t.Name, t.Data)).ToList();
    }

    [TestMethod]
    public void WrittenAndReadBackItIsTheSameSpecGraphAndRun()
    {
        var spec = Sample(TestLoss.Of("asoftmax", m: 3));
        var again = RunSpec.FromJson(spec.ToJson(), "round trip");
        Assert.AreEqual(spec.ToJson(), again.ToJson());
        Assert.AreEqual(spec.Loss, again.Loss);
        CollectionAssert.AreEqual(GraphFolder.Build(spec.GraphSpec).TrainStep.Model.ToByteArray(), GraphFolder.Build(again.GraphSpec).TrainStep.Model.ToByteArray());
        using var dir = new TempDir();
        var a = TrainThreeSteps(spec, dir.File("a"));
        var b = TrainThreeSteps(again, dir.File("b"));
        Assert.AreEqual(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.AreEqual(a[i].Name, b[i].Name);
            CollectionAssert.AreEqual(a[i].Data, b[i].Data, a[i].Name);
        }
        // What the checkpoint records is that spec.
        Assert.AreEqual(spec.ToJson(), RunSpec.FromJson(CheckpointFile.Load(dir.File("a/checkpoint.safetensors")).ConfigJson, "checkpoint").ToJson());
    }

    [TestMethod]
    public void UnknownFieldsOtherVersionsAndBadTypesAreRefusedNamingTheField()
    {
        var json = Sample(LossConfig.Of("softmax")).ToJsonObject();
        json["solver"]!["base_rl"] = 0.1;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RunSpec.FromJson(json, "spec.json"));
        StringAssert.Contains(e.Message, "unknown field 'solver.base_rl'");
        StringAssert.Contains(e.Message, "spec.json");

        json = Sample(LossConfig.Of("softmax")).ToJsonObject();
        json["version"] = 7;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => RunSpec.FromJson(json, "spec.json")).Message, "version 7");

        json = Sample(LossConfig.Of("softmax")).ToJsonObject();
        json["loss"] = new JsonObject { ["head"] = "softmax", ["m"] = 4 };
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => RunSpec.FromJson(json, "spec.json")).Message, "no parameter 'm'");

        json = Sample(LossConfig.Of("softmax")).ToJsonObject();
        json["batch"] = "many";
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => RunSpec.FromJson(json, "spec.json")).Message, "batch");
    }

    [TestMethod]
    [DataRow("solver.base_lr")]
    [DataRow("solver.lr_steps")]
    [DataRow("solver.momentum")]
    [DataRow("data.flip_probability")]
    [DataRow("output.log_every")]
    [DataRow("batch")]
    [DataRow("loss")]
    public void OutOfRangeValuesNameTheirFieldNotAFlag(string field)
    {
        var spec = Sample(LossConfig.Of("amsoftmax"));
        spec = field switch
        {
            "solver.base_lr" => spec with { Solver = spec.Solver with { BaseLr = -1 } },
            "solver.lr_steps" => spec with { Solver = spec.Solver with { LrSteps = [5, 3] } },
            "solver.momentum" => spec with { Solver = spec.Solver with { Momentum = 1 } },
            "data.flip_probability" => spec with { Data = spec.Data with { FlipProbability = 1.5 } },
            "output.log_every" => spec with { Output = spec.Output with { LogEvery = 0 } },
            "batch" => spec with { Batch = 0 },
            _ => spec with { Loss = spec.Loss.With("scale", -2.0) },
        };
        var e = Assert.ThrowsExactly<RunSpecException>(() => spec.Validate());
        Assert.AreEqual(field, e.Field);
        StringAssert.Contains(e.Message, field == "loss" ? "loss.scale" : field);
        Assert.IsFalse(e.Message.Contains("--"), $"a library message names fields, not flags: {e.Message}");
    }

    [TestMethod]
    public void AConfigurationWithoutAVersionOrOfAnotherVersionIsRefusedNamingTheVersion()
    {
        const string flat = """{"net":"sphere4","loss":{"kind":"ASoftmax","m":4},"classes":5,"batch_size":8,"iterations":40}""";
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RunSpec.FromJson(flat, "old checkpoint"));
        StringAssert.StartsWith(e.Message, "old checkpoint: no \"version\" field");
        StringAssert.Contains(e.Message, $"version {RunSpec.CurrentVersion}");
        e = Assert.ThrowsExactly<InvalidDataException>(() => RunSpec.FromJson("""{"version": 7}""", "future.json"));
        StringAssert.Contains(e.Message, "future.json: run spec version 7; this program reads version 1");
    }

    [TestMethod]
    public void EveryRunSpecUnderConfigsLoadsAndValidates()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "configs"), "*.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}experiments{Path.DirectorySeparatorChar}")).ToList();
        Assert.IsTrue(files.Count >= 3, $"run specs found: {files.Count}");
        foreach (var file in files)
        {
            var spec = RunSpecFile.Load(file);
            (spec with { Classes = spec.Classes ?? 10 }).Validate();
            Assert.IsFalse(string.IsNullOrWhiteSpace(spec.Description), $"{file}: says what it is for");
        }
    }

    [TestMethod]
    public void EveryExperimentUnderConfigsLoadsAndEachOfItsTrainingsValidates()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "configs", "experiments"), "*.json");
        CollectionAssert.AreEquivalent(new[] { "ablation", "imbalance", "margins", "sphere3d" }, files.Select(Path.GetFileNameWithoutExtension).ToArray());
        foreach (var file in files)
        {
            var experiment = ExperimentFile.Load(file, 100);
            Assert.IsTrue(experiment.Runs.Count > 0 && experiment.Data.Count > 0, file);
            foreach (var run in experiment.Runs)
            {
                var spec = experiment.SpecOf(run);
                (spec with { Classes = 10 }).Validate();
            }
        }
    }
}
