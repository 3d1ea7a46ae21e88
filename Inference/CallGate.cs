namespace SphereFace.Inference;

/// <summary>
/// Lets <see cref="Embedder.Dispose"/> race with embedding calls safely: a call enters the gate before it touches the
/// session and leaves it when done; <see cref="Close"/> shuts the gate and waits until every call in flight has left,
/// so native resources are released only when no call uses them. A call entering a closed gate gets
/// <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class CallGate
{
    private int _active;
    private int _closed;

    /// <summary>True once <see cref="Close"/> was called.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Enters; dispose the result to leave.</summary>
    /// <exception cref="ObjectDisposedException">The gate is closed.</exception>
    public Pass Enter(object owner)
    {
        // Increment first, then check: Close sets the flag first, then waits for zero (both are full fences), so a call
        // either sees the flag and backs out or is counted before Close finishes waiting.
        Interlocked.Increment(ref _active);
        if (Volatile.Read(ref _closed) != 0)
        {
            Interlocked.Decrement(ref _active);
            throw new ObjectDisposedException(owner.GetType().FullName, "The embedder was disposed.");
        }
        return new Pass(this);
    }

    /// <summary>Closes the gate and waits for the calls in flight; false when it was already closed.</summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return false;
        var wait = new SpinWait();
        while (Volatile.Read(ref _active) != 0) wait.SpinOnce(sleep1Threshold: 20);
        return true;
    }

    /// <summary>One call's stay in the gate.</summary>
    public readonly struct Pass(CallGate gate) : IDisposable
    {
        /// <summary>Leaves the gate.</summary>
        public void Dispose() => Interlocked.Decrement(ref gate._active);
    }
}
