namespace SphereFace.Training.Runs;

/// <summary>What a checkpoint records about the model it belongs to: net name, loss descriptor and the run configuration (JSON).</summary>
public sealed record RunIdentity(string Net, string Loss, string ConfigJson);
