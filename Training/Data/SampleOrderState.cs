namespace SphereFace.Training.Data;

/// <summary>
/// Where a seeded sample order stands: the seed, the epoch (each epoch is a fresh shuffle derived from the
/// seed and the epoch number) and the position inside it. Saved in checkpoints so a resumed run sees the
/// same samples in the same order.
/// </summary>
public sealed record SampleOrderState(ulong Seed, int Epoch, long Position);
