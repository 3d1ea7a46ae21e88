using SphereFace.Cli;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Training;

[TestClass]
public sealed class TrainCliErrorTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try { return (CliApp.Run(args), err.ToString()); }
        finally { Console.SetError(previous); }
    }

    [TestMethod]
    public void ExportOfATruncatedCheckpointIsOneClearLine()
    {
        using var temp = new TempDir();
        File.WriteAllBytes(temp.File("c.safetensors"), [1, 2, 3]);
        var (code, error) = Run("export", "--checkpoint", temp.File("c.safetensors"), "--out", temp.File("e.onnx"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "truncated");
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
        Assert.IsFalse(File.Exists(temp.File("e.onnx")));
    }

    [TestMethod]
    public void ExportOfAMissingCheckpointNamesIt()
    {
        using var temp = new TempDir();
        var (code, error) = Run("export", "--checkpoint", temp.File("none.safetensors"), "--out", temp.File("e.onnx"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "none.safetensors");
    }
}
