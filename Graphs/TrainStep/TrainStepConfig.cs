using SphereFace.Models.Native;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Ops;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// What a training-step graph is built for: net, loss head, number of classes, fixed batch size, solver, and how
/// the convolutions are computed (<paramref name="Kernels"/>, resolved for a machine: ops and activation block;
/// <paramref name="ConvGradients"/> chooses the formulations of the standard kernels' gradients).
/// </summary>
public sealed record TrainStepConfig(
    SphereNetConfig Net,
    LossConfig Loss,
    int Classes,
    int BatchSize,
    SolverSpec Solver,
    KernelChoice? Kernels = null,
    ConvGradientOptions? ConvGradients = null)
{
    /// <summary>The kernels (standard when none were given).</summary>
    public KernelChoice Kernels { get; init; } = Kernels ?? KernelChoice.Standard;
}
