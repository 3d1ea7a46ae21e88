using SphereFace.Cli.Demo;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Demo;

/// <summary>A repeated demo: the earlier run folder is kept once as <c>.previous</c>, never merged into the new run.</summary>
[TestClass]
public sealed class DemoRunFolderTests
{
    [TestMethod]
    public void EarlierRunMovesAsideAndReplacesAnOlderOne()
    {
        using var dir = new TempDir();
        string run = dir.File("asoftmax-m4");
        Assert.IsNull(DemoRunFolder.MakeRoom(run), "no folder yet: nothing to move");

        Directory.CreateDirectory(run);
        Assert.IsNull(DemoRunFolder.MakeRoom(run), "an empty folder can take the new run");

        File.WriteAllText(Path.Combine(run, "checkpoint.safetensors"), "first");
        Assert.AreEqual(run + ".previous", DemoRunFolder.MakeRoom(run));
        Assert.IsFalse(Directory.Exists(run));
        Assert.AreEqual("first", File.ReadAllText(Path.Combine(run + ".previous", "checkpoint.safetensors")));

        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "checkpoint.safetensors"), "second");
        DemoRunFolder.MakeRoom(run);
        Assert.AreEqual("second", File.ReadAllText(Path.Combine(run + ".previous", "checkpoint.safetensors")), "the older .previous is replaced");
        Assert.AreEqual(1, Directory.GetDirectories(dir.Path).Length);
    }
}
