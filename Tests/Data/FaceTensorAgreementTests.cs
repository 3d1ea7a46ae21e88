using SphereFace.Inference;
using SphereFace.Tests.Support;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Tests.Data;

/// <summary>
/// Training and serving see the same input: for the same photo and landmarks, the training batch source's tensor is
/// bit-identical to the Embedder's (whose preparation calibration for int8 uses too), plain and mirrored — the classic
/// bug of a mismatch between the two pipelines would show here first.
/// </summary>
[TestClass]
public sealed class FaceTensorAgreementTests
{
    [TestMethod]
    public void TheBatchSourceAndTheEmbedderPrepareTheSameTensors()
    {
        using var tmp = new TempFolder();
        SyntheticFaceSet.Generate(tmp.Path, SyntheticFaceSetTests.Tiny());
        var dataset = FaceDataset.Load(tmp[SyntheticFaceSet.ImagesFolder], tmp[SyntheticFaceSet.LandmarksFile]);
        using var embedder = new Embedder(SphereFace.Tests.Inference.EmbedderFixture.ModelPath);
        var preparation = embedder.Preparation;
        int length = preparation.TensorLength;
        foreach (bool flip in new[] { false, true })
        {
            using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions { BatchSize = 4, Workers = 1, Seed = 5, FlipProbability = flip ? 1 : 0 });
            var order = new SampleOrder(dataset.Samples.Count, 5);
            var data = new float[4 * length];
            var labels = new long[4];
            source.Next(data, labels);
            for (int i = 0; i < 4; i++)
            {
                var sample = dataset.Samples[order.At(i)];
                var served = preparation.Prepare(FaceImage.FromFile(sample.Path, sample.Landmarks));
                if (flip) // the Embedder's flip-concatenation mirrors the prepared tensor row by row
                    for (int row = 0; row < length; row += preparation.Contract.Width) Array.Reverse(served, row, preparation.Contract.Width);
                CollectionAssert.AreEqual(served, data.AsSpan(i * length, length).ToArray(), $"sample {i}, flip {flip}");
            }
        }
    }
}
