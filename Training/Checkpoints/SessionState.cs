using SphereFace.Graphs.IO;
using SphereFace.Training.Session;

namespace SphereFace.Training.Checkpoints;

/// <summary>Moves the carried tensors of a <see cref="TrainStepSession"/> to and from checkpoint tensors.</summary>
public static class SessionState
{
    /// <summary>Reads every carried tensor of <paramref name="session"/> back from its buffers (device → host on CUDA).</summary>
    public static IReadOnlyList<NamedTensor> Capture(TrainStepSession session) =>
        session.Carried.Select(c => new NamedTensor(c.Input, c.Shape, session.ReadCarried(c.Input))).ToArray();

    /// <summary>The kinds of <paramref name="session"/>'s carried tensors, by name.</summary>
    public static IReadOnlyDictionary<string, Graphs.TrainStep.CarriedKind> Kinds(TrainStepSession session) =>
        session.Carried.ToDictionary(c => c.Input, c => c.Kind, StringComparer.Ordinal);

    /// <summary>
    /// Loads <paramref name="tensors"/> into the session. The names and shapes must be exactly the session's
    /// carried tensors; any missing, extra or differently shaped tensor is an <see cref="InvalidDataException"/>
    /// naming it and <paramref name="source"/>, raised before anything is written.
    /// </summary>
    public static void Restore(TrainStepSession session, IReadOnlyList<NamedTensor> tensors, string source)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var slot in session.Carried)
        {
            if (!byName.TryGetValue(slot.Input, out var t))
                throw new InvalidDataException($"Checkpoint '{source}' has no tensor '{slot.Input}' (shape [{string.Join(",", slot.Shape)}]); it was written for another net or loss.");
            if (!t.Shape.SequenceEqual(slot.Shape))
                throw new InvalidDataException($"Checkpoint '{source}': tensor '{slot.Input}' has shape [{string.Join(",", t.Shape)}], this model needs [{string.Join(",", slot.Shape)}] (another net, class count or embedding size).");
        }
        var extra = tensors.Select(t => t.Name).Where(n => !session.HasCarried(n)).ToArray();
        if (extra.Length > 0)
            throw new InvalidDataException($"Checkpoint '{source}' has tensors this model does not carry: {string.Join(", ", extra.Take(5))}{(extra.Length > 5 ? ", …" : "")}; it was written for another net or loss.");
        foreach (var slot in session.Carried) session.WriteCarried(slot.Input, byName[slot.Input].Data);
    }
}
