using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Losses;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Losses;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;
using SphereFace.Training.Session;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Training;

[TestClass]
public sealed class InitFromTests
{
    private static readonly TrainSessionOptions Options = new(Threads: 2);

    private static RunSpec Config(string net, LossConfig loss, int classes) => new()
    {
        Net = new NetSpec(net), Loss = loss, Classes = classes, Batch = 4, Solver = new SolverSpec { Iterations = 2, BaseLr = 0.01f, LrSteps = [] },
        Lambda = new LambdaSchedule { Gamma = 0.5f }, Seed = 5, Data = new DataSpec { Source = $"random:{2 * classes}" },
        Output = new OutputSpec { LogEvery = 1, CheckpointEvery = 100 },
    };

    /// <summary>Trains <paramref name="config"/> into <paramref name="folder"/> and returns the checkpoint path.</summary>
    private static string Train(RunSpec config, string folder)
    {
        using var prepared = PreparedRun.Create(config, Options);
        new TrainingRun(prepared.Loop, new RunFolder(folder), prepared.Identity, config.Solver.Iterations, 1, 100).Run(CancellationToken.None);
        return Path.Combine(folder, "checkpoint.safetensors");
    }

    private static IReadOnlyList<NamedTensor> Start(RunSpec config, out string? summary)
    {
        using var prepared = PreparedRun.Create(config, Options);
        summary = prepared.InitialisedFrom;
        return SessionState.Capture(prepared.Session);
    }

    [TestMethod]
    public void FineTuningCopiesMatchingParametersAndSeedsTheRest()
    {
        using var temp = new TempDir();
        string source = Train(Config("sphere4", TestLoss.Of("softmax"), 3), temp.File("softmax"));
        var trained = CheckpointFile.Load(source);

        // Another loss with more classes: the classifier's shape differs, the backbone matches.
        var target = Config("sphere4", TestLoss.Of("asoftmax", m: 4), 5);
        var seeded = Start(target, out var noSummary);
        var started = Start(target with { InitFrom = source }, out var summary);

        Assert.IsNull(noSummary);
        int copied = 0, kept = 0;
        foreach (var t in started)
        {
            var fresh = seeded.Single(s => s.Name == t.Name);
            if (t.Name.StartsWith("momentum/"))
                Assert.IsTrue(t.Data.All(v => v == 0), $"{t.Name}: momenta start at zero");
            else if (trained.Find(t.Name) is { } from && from.Shape.SequenceEqual(t.Shape))
            {
                CollectionAssert.AreEqual(from.Data, t.Data, $"{t.Name}: copied from the checkpoint");
                CollectionAssert.AreNotEqual(fresh.Data, t.Data, $"{t.Name}: the source run moved it away from the seed");
                copied++;
            }
            else
            {
                CollectionAssert.AreEqual(fresh.Data, t.Data, $"{t.Name}: not in the checkpoint with this shape, so seeded");
                kept++;
            }
        }
        Assert.IsGreaterThan(10, copied);
        Assert.IsGreaterThan(0, kept);
        StringAssert.StartsWith(summary, $"{copied} of {copied + kept} parameters from {source}");
    }

    [TestMethod]
    public void ACheckpointOfAnotherNetIsRefusedByName()
    {
        using var temp = new TempDir();
        string source = Train(Config("sphere4", TestLoss.Of("softmax"), 3), temp.File("softmax"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Start(Config("sphere10", TestLoss.Of("softmax"), 3) with { InitFrom = source }, out _));
        StringAssert.Contains(e.Message, "sphere4");
        StringAssert.Contains(e.Message, "sphere10");
    }
}
