namespace SphereFace.Inference.Verification;

/// <summary>The outcome of <see cref="Embedder.Verify(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
/// <param name="Score">Cosine similarity of the two embeddings.</param>
/// <param name="Threshold">The threshold applied.</param>
/// <param name="Same">True when <paramref name="Score"/> is strictly above <paramref name="Threshold"/>.</param>
public readonly record struct VerificationResult(float Score, double Threshold, bool Same);
