namespace SphereFace.Training.Data.Formats;

/// <summary>One fold of a pairs file: its matched pairs followed by its mismatched pairs.</summary>
public sealed record PairsFold(IReadOnlyList<FacePair> Matched, IReadOnlyList<FacePair> Mismatched)
{
    /// <summary>Matched then mismatched pairs.</summary>
    public IEnumerable<FacePair> All => Matched.Concat(Mismatched);
}
