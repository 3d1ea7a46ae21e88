using System.Collections.Concurrent;

namespace SphereFace.Inference;

/// <summary>
/// Reusable <see cref="RunBuffers"/> per image count. A caller rents one for the duration of a run and returns
/// it; concurrent callers each get their own, so the pool holds at most (distinct sizes × peak concurrency) sets.
/// </summary>
internal sealed class RunBufferPool(int height, int width, int embeddingSize) : IDisposable
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<RunBuffers>> _free = new();
    private bool _disposed;

    public RunBuffers Rent(int images)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bag = _free.GetOrAdd(images, _ => new ConcurrentBag<RunBuffers>());
        return bag.TryTake(out var buffers) ? buffers : new RunBuffers(images, height, width, embeddingSize);
    }

    public void Return(RunBuffers buffers)
    {
        if (_disposed) { buffers.Dispose(); return; }
        _free.GetOrAdd(buffers.Images, _ => new ConcurrentBag<RunBuffers>()).Add(buffers);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var bag in _free.Values)
            while (bag.TryTake(out var b)) b.Dispose();
    }
}
