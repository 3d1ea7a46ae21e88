using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Losses;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Losses;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Export;
using SphereFace.Training.Runs;
using SphereFace.Training.Session;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Training;

/// <summary>
/// SF-4 + A-Softmax (m = 4) trained through the training-step graph on 32 fixed random images with random
/// labels: the only way to fit them is memorisation. The loss must fall and the trained model must classify
/// every image correctly, judged independently from the exported embedding graph and the classifier weights.
/// </summary>
[TestClass]
public sealed class MemorisationTests
{
    private const int Samples = 32, Classes = 4, Batch = 8, MaxIterations = 48;

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void Sphere4ASoftmaxMemorisesRandomLabels()
    {
        var config = new RunSpec
        {
            Net = new NetSpec("sphere4"), Loss = TestLoss.Of("asoftmax", m: 4), Classes = Classes, Batch = Batch,
            Solver = new SolverSpec { Iterations = MaxIterations, BaseLr = 0.01f, LrSteps = [] }, Lambda = new LambdaSchedule { Gamma = 0.5f }, Seed = 3,
            Data = new DataSpec { Source = $"random:{Samples}" }, Output = new OutputSpec { LogEvery = 4, CheckpointEvery = 1000 },
        };
        using var temp = new TempDir();
        var steps = new List<StepRecord>();
        using (var prepared = PreparedRun.Create(config, new TrainSessionOptions(Threads: 2)))
        {
            var run = new TrainingRun(prepared.Loop, new RunFolder(temp.Path), prepared.Identity, MaxIterations, config.Output.LogEvery, config.Output.CheckpointEvery);
            using var cancel = new CancellationTokenSource();
            // Stop once a whole epoch (Samples / Batch consecutive batches) was classified correctly.
            run.Stepped = s =>
            {
                steps.Add(s);
                if (steps.Count >= 8 && steps.TakeLast(Samples / Batch).All(r => r.Accuracy == 1f)) cancel.Cancel();
            };
            run.Run(cancel.Token);
        }
        Assert.IsLessThan(MaxIterations, steps.Count, $"no full epoch at 100 % within {MaxIterations} iterations; losses {string.Join(" ", steps.Select(s => s.Loss.ToString("F3")))}");
        Assert.IsTrue(steps.All(s => float.IsFinite(s.Loss)));
        double first = steps.Take(4).Average(s => s.Loss), last = steps.TakeLast(4).Average(s => s.Loss);
        Assert.IsLessThan(first * 0.5, last, $"loss did not fall: first 4 steps {first:F4}, last 4 {last:F4}");

        // Independent check: embeddings from the exported frozen graph, classified by the classifier's
        // column-normalised weights (A-Softmax decides by cos θ_j·‖x‖, i.e. the largest w_j·x/‖w_j‖).
        var checkpoint = CheckpointFile.Load(Path.Combine(temp.Path, "checkpoint.safetensors"));
        Assert.AreEqual(steps.Count, checkpoint.Iteration);
        ModelFile.Save(CheckpointExport.Build(checkpoint, "memorised"), temp.File("embedding.onnx"));
        var classifier = checkpoint.Find("fc6/weight") ?? throw new AssertFailedException($"no classifier; tensors: {string.Join(", ", checkpoint.Tensors.Select(t => t.Name).Where(n => !n.StartsWith("momentum/")))}");
        int width = (int)classifier.Shape[1];
        using var source = new RandomLabelBatchSource(Samples, Classes, Batch, DataSourceSpec.ImageLength, config.Seed);
        var images = new float[Samples * DataSourceSpec.ImageLength];
        for (int i = 0; i < Samples; i++) source.Sample(i).CopyTo(images.AsSpan(i * DataSourceSpec.ImageLength));
        using var session = new InferenceSession(temp.File("embedding.onnx"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", new DenseTensor<float>(images, [Samples, 3, 112, 96]))]);
        var embeddings = results[0].AsEnumerable<float>().ToArray();
        int correct = 0;
        for (int i = 0; i < Samples; i++)
        {
            int best = -1;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                double dot = 0, norm = 0;
                for (int k = 0; k < width; k++)
                {
                    double w = classifier.Data[c * width + k];
                    dot += w * embeddings[i * width + k];
                    norm += w * w;
                }
                double score = dot / Math.Sqrt(norm);
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            if (best == source.Label(i)) correct++;
        }
        Assert.AreEqual(Samples, correct, $"{correct}/{Samples} memorised after {steps.Count} iterations");
    }
}
