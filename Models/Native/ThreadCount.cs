namespace SphereFace.Models.Native;

/// <summary>
/// The bound on every thread count a user gives (ONNX Runtime's intra-op threads, decode workers, render threads):
/// each thread reserves a stack, so a count of 100 000 would exhaust memory before any work began.
/// </summary>
public static class ThreadCount
{
    /// <summary>The most threads accepted (0 usually means one per core).</summary>
    public const int Max = 1024;

    /// <summary>Returns <paramref name="count"/> when it is in [0, <see cref="Max"/>].</summary>
    /// <param name="count">The count given.</param>
    /// <param name="name">What it is called where the user gave it (an option, a flag, a spec field).</param>
    /// <exception cref="Errors.InputException">The count is negative or above <see cref="Max"/> (a one-line message naming it).</exception>
    public static int Check(int count, string name) => count is >= 0 and <= Max ? count
        : throw new Errors.InputException($"{name} must be in 0…{Max} (0: one per core), got {count}.");
}
