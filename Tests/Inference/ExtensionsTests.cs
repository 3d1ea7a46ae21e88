using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;
using SphereFace.Extensions;
using SphereFace.Inference;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>The Microsoft.Extensions.AI adapter and the DI registration against the Embedder's own results.</summary>
[TestClass]
public sealed class ExtensionsTests
{
    [TestMethod]
    public async Task GeneratorFromTheContainerEmbedsLikeTheEmbedder()
    {
        using var dir = new TempDir();
        var faces = Enumerable.Range(0, 3).Select(i =>
        {
            string path = dir.File($"f{i}.png");
            using var img = RandomImage(96, 112, 60 + i);
            Cv2.ImWrite(path, img);
            return FaceImage.FromFile(path);
        }).ToArray();
        var services = new ServiceCollection().AddSphereFaceEmbedder(ModelPath, new EmbedderOptions { FlipConcatenation = true });
        float[][] expected;
        using (var provider = services.BuildServiceProvider())
        {
            var generator = provider.GetRequiredService<IEmbeddingGenerator<FaceImage, Embedding<float>>>();
            var embedder = provider.GetRequiredService<Embedder>();
            expected = embedder.Embed(faces);
            var generated = await generator.GenerateAsync(faces);
            Assert.HasCount(3, generated);
            for (int i = 0; i < 3; i++) CollectionAssert.AreEqual(expected[i], generated[i].Vector.ToArray(), $"face {i}");
            var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
            Assert.AreEqual(1024, metadata.DefaultModelDimensions);
            Assert.AreSame(embedder, generator.GetService<Embedder>());
        }
    }
}
