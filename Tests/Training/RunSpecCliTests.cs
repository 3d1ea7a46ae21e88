using System.Diagnostics;
using System.Text.Json.Nodes;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;

namespace SphereFace.Tests.Training;

/// <summary>
/// <c>train --config</c>: flags override the file's fields, relative paths in a file are relative to the file and on
/// the command line to the caller's folder (through the <c>./sphereface</c> script too), the effective spec is what
/// the run saves, and <c>--resume</c> refuses a flag that conflicts with the saved spec, and a spec file.
/// </summary>
[TestClass]
public sealed class RunSpecCliTests
{
    private const string SpecText = """
        {
          "version": 1,
          "description": "test spec",
          "net": { "name": "sphere4" },
          "loss": { "head": "asoftmax", "m": 3, "use_plugin": false },
          "classes": 4,
          "batch": 4,
          "solver": { "iterations": 2, "base_lr": 0.02, "lr_steps": [] },
          "data": { "source": "random:8" },
          "machine": { "threads": 2 },
          "output": { "log_every": 1 }
        }
        """;

    private static RunSpec Printed(params string[] args)
    {
        var (code, output, error) = CliRun.RunCapturing(["train", .. args, "--print-spec"]);
        Assert.AreEqual(0, code, error);
        return RunSpec.FromJson(output, "printed spec");
    }

    [TestMethod]
    public void FlagsOverrideTheFileAndLossOptionsChangeOneParameterOfItsHead()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), SpecText);
        var fromFile = Printed("--config", dir.File("spec.json"));
        Assert.AreEqual(0.02f, fromFile.Solver.BaseLr);
        Assert.AreEqual(3, fromFile.Loss.Int("m"));
        Assert.AreEqual(512, fromFile.Net.EmbeddingSize, "fields the file leaves out keep their defaults");

        var overridden = Printed("--config", dir.File("spec.json"), "--lr", "0.05", "--m", "2", "--batch", "8");
        Assert.AreEqual(0.05f, overridden.Solver.BaseLr);
        Assert.AreEqual(8, overridden.Batch);
        Assert.AreEqual(2, overridden.Loss.Int("m"));
        Assert.IsFalse(overridden.Loss.Bool("use_plugin"), "the file's other loss parameters stay");
        Assert.AreEqual("sphere4", overridden.Net.Name);

        var otherHead = Printed("--config", dir.File("spec.json"), "--loss", "amsoftmax", "--loss-param", "scale=12");
        Assert.AreEqual("amsoftmax", otherHead.Loss.Head);
        Assert.AreEqual(12f, otherHead.Loss.Float("scale"));

        var (code, error) = CliRun.Run("train", "--config", dir.File("spec.json"), "--lr-steps", "5,1", "--print-spec");
        Assert.AreEqual(2, code);
        StringAssert.StartsWith(error, "sphereface: error: --lr-steps: solver.lr_steps must be strictly increasing");
        File.WriteAllText(dir.File("typo.json"), SpecText.Replace("\"batch\"", "\"bacth\""));
        (code, error) = CliRun.Run("train", "--config", dir.File("typo.json"), "--print-spec");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "unknown field 'bacth'");
        StringAssert.Contains(error, "typo.json");
    }

    [TestMethod]
    public void RelativePathsInAFileAreRelativeToTheFile()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("specs"));
        File.WriteAllText(dir.File("specs/spec.json"), SpecText.Replace("\"version\": 1,", "\"version\": 1, \"init_from\": \"../runs/a/checkpoint.safetensors\",")
            .Replace("\"output\": { \"log_every\": 1 }", "\"output\": { \"folder\": \"../runs/b\" }"));
        var spec = Printed("--config", dir.File("specs/spec.json"));
        Assert.AreEqual(Path.GetFullPath(dir.File("runs/a/checkpoint.safetensors")), spec.InitFrom);
        Assert.AreEqual(Path.GetFullPath(dir.File("runs/b")), spec.Output.Folder);
    }

    [TestMethod]
    public void TheRunSavesTheEffectiveSpecAndResumeRefusesConflictsButNotTheDocumentedOverrides()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), SpecText);
        var (code, output, error) = CliRun.RunCapturing("train", "--config", dir.File("spec.json"), "--lr", "0.03", "--out", dir.File("run"));
        Assert.AreEqual(0, code, error);
        var saved = RunSpec.FromJson(File.ReadAllText(dir.File("run/config.json")), "config.json");
        Assert.AreEqual(0.03f, saved.Solver.BaseLr);
        StringAssert.Contains(output, saved.ToJson(), "the effective spec is printed");
        string checkpoint = dir.File("run/checkpoint.safetensors");
        Assert.AreEqual(saved.ToJson(), RunSpec.FromJson(CheckpointFile.Load(checkpoint).ConfigJson, "checkpoint").ToJson());

        (code, error) = CliRun.Run("train", "--resume", checkpoint, "--iterations", "4", "--lr", "0.5");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--lr: solver.base_lr = 0.5 differs from the run resumed");
        StringAssert.Contains(error, "has 0.03");
        (code, error) = CliRun.Run("train", "--resume", checkpoint, "--iterations", "4", "--net", "sphere10");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--net: net.name");
        (code, error) = CliRun.Run("train", "--resume", checkpoint, "--iterations", "4", "--m", "4");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "loss.m");
        File.WriteAllText(dir.File("other.json"), SpecText.Replace("\"batch\": 4", "\"batch\": 2"));
        (code, error) = CliRun.Run("train", "--resume", checkpoint, "--config", dir.File("other.json"), "--iterations", "4");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--config starts a new run");
        Assert.AreEqual(2, CheckpointFile.Load(checkpoint).Iteration, "a refused resume leaves the run as it was");

        // The fields a resume may change, and flags that agree with the saved spec, are accepted.
        (code, error) = CliRun.Run("train", "--resume", checkpoint, "--iterations", "3", "--threads", "1", "--log-every", "2", "--lr", "0.03", "--net", "sphere4");
        Assert.AreEqual(0, code, error);
        Assert.AreEqual(3, CheckpointFile.Load(checkpoint).Iteration);
        var resumed = RunSpec.FromJson(File.ReadAllText(dir.File("run/config.json")), "config.json");
        Assert.AreEqual(3, resumed.Solver.Iterations);
        Assert.AreEqual(1, resumed.Machine.Threads);
    }

    [TestMethod]
    public void TheScriptResolvesRelativePathsAgainstTheCallersFolder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), """
            { "version": 1, "net": { "name": "sphere4" }, "data": { "source": "faces/images", "landmarks": "faces/landmarks.txt" } }
            """);
        string Script(params string[] args)
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "sphereface"), .. args])
            {
                WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.AreEqual(0, process.ExitCode, $"sphereface {string.Join(' ', args)}: {stderr}");
            return stdout.Result;
        }
        Script("synth", "--out", "faces", "--identities", "10", "--max-images", "4", "--min-images", "2", "--test-images", "2", "--pairs-per-fold", "1", "--folds", "1");
        Assert.IsTrue(File.Exists(dir.File("faces/landmarks.txt")), "synth --out faces wrote into the caller's folder");
        var printed = JsonNode.Parse(Script("train", "--config", "spec.json", "--identity-list", "faces/train_identities.txt", "--print-spec"))!;
        Assert.AreEqual(Path.GetFullPath(dir.File("faces/images")), (string?)printed["data"]!["source"]);
        Assert.AreEqual(Path.GetFullPath(dir.File("faces/train_identities.txt")), (string?)printed["data"]!["identity_list"]);
        Assert.AreEqual(File.ReadAllLines(dir.File("faces/train_identities.txt")).Count(l => l.Length > 0), (int)printed["classes"]!);
    }
}
