namespace SphereFace.Training.Data;

/// <summary>
/// Supplies training batches: images as float NCHW [B,3,112,96] normalised ((p − 127.5)/128, RGB) and int64
/// labels [B], written straight into the caller's (pre-allocated, possibly native) buffers.
/// </summary>
public interface IBatchSource : IDisposable
{
    /// <summary>Images per batch.</summary>
    int BatchSize { get; }

    /// <summary>Number of identities (labels are in [0, Classes)).</summary>
    int Classes { get; }

    /// <summary>Fills the next batch; blocks until it is ready. <paramref name="data"/> has B·3·112·96 floats.</summary>
    void Next(Span<float> data, Span<long> labels);

    /// <summary>The sample-order state after the last batch returned (for checkpoints).</summary>
    SampleOrderState State { get; }

    /// <summary>
    /// Text that differs between two sources that serve different samples (a digest of the files and labels, or of the
    /// random set's parameters); the ranks of a data-parallel run compare it before the first step.
    /// </summary>
    string Digest { get; }
}
