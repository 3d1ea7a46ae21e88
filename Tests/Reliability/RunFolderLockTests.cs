using SphereFace.Tests.Support;
using SphereFace.Training.Runs;

namespace SphereFace.Tests.Reliability;

/// <summary>
/// One process writes a run folder: a second <c>train</c> into a folder another run holds is refused naming that
/// process, and a new run in a folder whose earlier run saved no checkpoint starts its metrics anew.
/// </summary>
[TestClass]
public sealed class RunFolderLockTests
{
    private static string[] Train(string run) =>
        ["train", "--net", "sphere4", "--embedding-size", "8", "--classes", "3", "--data", "random:4", "--batch", "2",
         "--iterations", "2", "--log-every", "1", "--checkpoint-every", "5", "--threads", "1", "--lr", "0.01", "--out", run];

    [TestMethod]
    public void AFolderHeldByAnotherRunIsRefusedAndFreeAgainAfterIt()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        using (RunFolderLock.Acquire(run))
        {
            var (code, error) = CliRun.Run(Train(run));
            Assert.AreEqual(2, code, error);
            StringAssert.Contains(error, "is in use by process " + Environment.ProcessId);
            Assert.IsFalse(File.Exists(Path.Combine(run, "metrics.csv")), "the refused run wrote nothing");
        }
        var again = CliRun.Run(Train(run));
        Assert.AreEqual(0, again.Code, again.Error);
        Assert.IsFalse(File.Exists(Path.Combine(run, "run.owner")), "the owner line goes with the run");
    }

    [TestMethod]
    public void ANewRunStartsTheMetricsOfARunThatSavedNoCheckpointAnew()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "metrics.csv"), "iteration,loss,accuracy,lr,lambda,images_per_s\n1,9,0,0.01,nan,1\n2,9,0,0.01,nan,1\n");
        var (code, error) = CliRun.Run(Train(run));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(error, "started anew");
        var iterations = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        CollectionAssert.AreEqual(new[] { "1", "2" }, iterations, "each iteration once");
    }
}
