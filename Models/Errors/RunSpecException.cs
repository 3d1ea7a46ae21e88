namespace SphereFace.Models.Errors;

/// <summary>
/// A run-spec field out of range or missing (docs/run-spec.md): <see cref="Field"/> is its path, e.g.
/// <c>solver.base_lr</c>, so a caller can say which flag or file set it.
/// </summary>
public sealed class RunSpecException : InputException
{
    /// <summary>Creates the error for <paramref name="field"/>.</summary>
    public RunSpecException(string field, string message, Exception? inner = null) : base(message, inner) => Field = field;

    /// <summary>The field's path in the spec.</summary>
    public string Field { get; }
}
