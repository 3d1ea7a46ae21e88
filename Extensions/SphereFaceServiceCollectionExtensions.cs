using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using SphereFace.Inference;

namespace SphereFace.Extensions;

/// <summary>Registers a SphereFace <see cref="Embedder"/> with a dependency-injection container.</summary>
public static class SphereFaceServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="Embedder"/> for <paramref name="modelPath"/> (created on first use, disposed with the
    /// container) and, over it, an <see cref="IEmbeddingGenerator{FaceImage, Embedding}"/> of <see cref="Embedding{T}"/>
    /// of float, both singletons.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty.</exception>
    public static IServiceCollection AddSphereFaceEmbedder(this IServiceCollection services, string modelPath, EmbedderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        string path = Path.GetFullPath(modelPath);
        services.AddSingleton(_ => new Embedder(path, options));
        services.AddSingleton<IEmbeddingGenerator<FaceImage, Embedding<float>>>(sp => new FaceEmbeddingGenerator(sp.GetRequiredService<Embedder>()));
        return services;
    }
}
