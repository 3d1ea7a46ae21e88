namespace SphereFace.Inference.Evaluation;

/// <summary>One verification pair: two rows of an <see cref="EmbeddingMatrix"/>, whether they show the same person, and its fold.</summary>
/// <param name="Left">Row of the first face.</param>
/// <param name="Right">Row of the second face.</param>
/// <param name="Same">True for a genuine (same identity) pair.</param>
/// <param name="Fold">Cross-validation fold, 0-based (LFW's pairs.txt has 10 folds of 300 + 300 pairs).</param>
public readonly record struct VerificationPair(int Left, int Right, bool Same, int Fold);
