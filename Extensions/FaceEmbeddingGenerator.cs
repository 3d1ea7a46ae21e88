using Microsoft.Extensions.AI;
using SphereFace.Inference;

namespace SphereFace.Extensions;

/// <summary>
/// An <see cref="Embedder"/> as Microsoft.Extensions.AI's embedding generator: one unit-length
/// <see cref="Embedding{T}"/> per <see cref="FaceImage"/>, batched and cancellable like
/// <see cref="Embedder.EmbedAsync"/>.
/// </summary>
public sealed class FaceEmbeddingGenerator : IEmbeddingGenerator<FaceImage, Embedding<float>>
{
    private readonly Embedder _embedder;
    private readonly bool _ownsEmbedder;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Wraps <paramref name="embedder"/>; disposing the generator disposes it when <paramref name="ownsEmbedder"/>.</summary>
    public FaceEmbeddingGenerator(Embedder embedder, bool ownsEmbedder = false)
    {
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _ownsEmbedder = ownsEmbedder;
        _metadata = new EmbeddingGeneratorMetadata("sphereface", new Uri(Path.GetFullPath(embedder.ModelPath)), Path.GetFileName(embedder.ModelPath), embedder.Dimension);
    }

    /// <summary>The embedder behind the generator (for <see cref="Embedder.Verify(ReadOnlySpan{float}, ReadOnlySpan{float})"/>).</summary>
    public Embedder Embedder => _embedder;

    /// <summary>Embeds the faces, in order.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="FileNotFoundException">A face's file does not exist.</exception>
    /// <exception cref="InvalidDataException">A face's file or bytes are not a decodable image.</exception>
    /// <exception cref="ArgumentException">Degenerate landmarks, or an unaligned face without landmarks.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<FaceImage> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var faces = values as IReadOnlyList<FaceImage> ?? values.ToArray();
        var rows = await _embedder.EmbedAsync(faces, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(rows.Select(r => new Embedding<float>(r) { CreatedAt = created, ModelId = _metadata.DefaultModelId }));
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(_embedder) ? _embedder : serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the embedder when the generator owns it.</summary>
    public void Dispose()
    {
        if (_ownsEmbedder) _embedder.Dispose();
    }
}
