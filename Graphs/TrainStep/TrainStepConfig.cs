namespace SphereFace.Graphs.TrainStep;

/// <summary>What a training-step graph is built for: net, loss head, number of classes, fixed batch size and solver.</summary>
public sealed record TrainStepConfig(SphereFace.Graphs.Nets.SphereNetConfig Net, SphereFace.Graphs.Losses.LossConfig Loss, int Classes, int BatchSize, SolverConfig Solver);
