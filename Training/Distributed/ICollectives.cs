namespace SphereFace.Training.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over the ranks of one job. Every rank must make the same
/// calls in the same order; each call returns once all ranks have made it.
/// </summary>
public interface ICollectives
{
    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>How many ranks the job has.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    /// <exception cref="Models.Errors.SphereFaceException">The collective failed (<see cref="Models.Errors.SphereFaceErrorCode.DistributedFailure"/>).</exception>
    void Sum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    /// <exception cref="Models.Errors.SphereFaceException">The collective failed (<see cref="Models.Errors.SphereFaceErrorCode.DistributedFailure"/>).</exception>
    void Sum(Span<double> values);

    /// <summary>Whether every rank passed the same <paramref name="value"/>.</summary>
    /// <exception cref="Models.Errors.SphereFaceException">The collective failed (<see cref="Models.Errors.SphereFaceErrorCode.DistributedFailure"/>).</exception>
    bool AllEqual(ulong value);
}
