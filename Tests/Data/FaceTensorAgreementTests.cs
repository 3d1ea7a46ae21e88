using OpenCvSharp;
using SphereFace.Cli.Commands;
using SphereFace.Cli.Inputs;
using SphereFace.Inference;
using SphereFace.Tests.Import;
using SphereFace.Tests.Support;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Tests.Data;

/// <summary>
/// Training and serving see the same input: for the same photo and landmarks (or the same aligned 112×112 face), the
/// training batch source's tensor is bit-identical to the Embedder's and to int8 calibration's (<c>quantize</c>), plain
/// and mirrored — the classic bug of a mismatch between the pipelines would show here first.
/// </summary>
[TestClass]
public sealed class FaceTensorAgreementTests
{
    /// <summary>The first <paramref name="count"/> tensors of <paramref name="source"/>'s first batch.</summary>
    private static float[][] FirstBatch(IBatchSource source, int count, int length)
    {
        var data = new float[source.BatchSize * length];
        source.Next(data, new long[source.BatchSize]);
        return Enumerable.Range(0, count).Select(i => data.AsSpan(i * length, length).ToArray()).ToArray();
    }

    private static float[] Mirrored(float[] tensor, int width)
    {
        var copy = (float[])tensor.Clone();
        // The Embedder's flip-concatenation mirrors the prepared tensor row by row.
        for (int row = 0; row < copy.Length; row += width) Array.Reverse(copy, row, width);
        return copy;
    }

    [TestMethod]
    public void PhotosWithLandmarksGiveTheSameTensorsInTrainingServingAndCalibration()
    {
        using var tmp = new TempDir();
        SyntheticFaceSet.Generate(tmp.Path, SyntheticFaceSetTests.Tiny());
        var dataset = FaceDataset.Load(tmp.File(SyntheticFaceSet.ImagesFolder), tmp.File(SyntheticFaceSet.LandmarksFile));
        using var embedder = new Embedder(SphereFace.Tests.Inference.EmbedderFixture.ModelPath);
        var preparation = embedder.Preparation;
        var order = new SampleOrder(dataset.Samples.Count, 5);
        var samples = Enumerable.Range(0, 4).Select(i => dataset.Samples[order.At(i)]).ToArray();
        var calibrated = QuantizeCommand.Tensors(samples.Select(s => new FaceInput(s.Path, "", s.Landmarks)).ToList(), preparation.Contract);
        foreach (bool flip in new[] { false, true })
        {
            using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions { BatchSize = 4, Workers = 1, Seed = 5, FlipProbability = flip ? 1 : 0 });
            var trained = FirstBatch(source, 4, preparation.TensorLength);
            for (int i = 0; i < 4; i++)
            {
                var served = preparation.Prepare(FaceImage.FromFile(samples[i].Path, samples[i].Landmarks));
                CollectionAssert.AreEqual(served, calibrated[i], $"sample {i}: calibration");
                CollectionAssert.AreEqual(flip ? Mirrored(served, preparation.Contract.Width) : served, trained[i], $"sample {i}, flip {flip}: training");
            }
        }
    }

    [TestMethod]
    public void AlignedSquareFacesGiveTheSameTensorsFromARecordFileAndInServingAndCalibration()
    {
        using var dir = new TempDir();
        int[] classes = [0, 0, 1, 1];
        var faces = new string[classes.Length];
        for (int i = 0; i < faces.Length; i++)
        {
            using var face = SphereFace.Tests.Inference.EmbedderFixture.RandomImage(112, 112, 300 + i);
            Cv2.ImWrite(faces[i] = dir.File($"face{i}.png"), face);
        }
        Python.Run(InsightFaceFormatTests.WriteRec, dir.Path, string.Join(",", classes));
        using var set = InsightFaceRecordSet.Open(dir.File("train.rec"));
        using var embedder = new Embedder(SphereFace.Tests.Inference.EmbedderFixture.ModelPath);
        var preparation = embedder.Preparation;
        var calibrated = QuantizeCommand.Tensors(faces.Select(f => new FaceInput(f, "", null)).ToList(), preparation.Contract);
        foreach (bool flip in new[] { false, true })
        {
            // Slot i holds the sample the source's seeded order puts at position i (the records are in file order).
            var order = new SampleOrder(set.Dataset.Samples.Count, 7);
            using var source = new FaceBatchSource(set.Dataset, new FaceBatchSourceOptions { BatchSize = 4, Workers = 1, Seed = 7, FlipProbability = flip ? 1 : 0 }, set.Decode);
            var trained = FirstBatch(source, 4, preparation.TensorLength);
            for (int i = 0; i < 4; i++)
            {
                int record = order.At(i);
                var served = preparation.Prepare(FaceImage.FromFile(faces[record]));
                CollectionAssert.AreEqual(served, calibrated[record], $"face {record}: calibration");
                CollectionAssert.AreEqual(flip ? Mirrored(served, preparation.Contract.Width) : served, trained[i], $"face {record}, flip {flip}: training from the .rec");
            }
        }
    }
}
