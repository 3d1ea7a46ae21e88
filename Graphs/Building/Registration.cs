namespace SphereFace.Graphs.Building;

/// <summary>
/// An entry added to a process-wide registry (<see cref="Losses.LossHeads"/>, <see cref="Ops.OpRegistry"/>); disposing it
/// restores what was there before, so a test or a plugin that registers for a while leaves no trace behind it.
/// </summary>
public sealed class Registration : IDisposable
{
    private Action? _undo;

    internal Registration(Action undo) => _undo = undo;

    /// <summary>Removes the entries (restoring any that they replaced); a second call does nothing.</summary>
    public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
}
