namespace SphereFace.Training.Runs;

/// <summary>One completed step: its 0-based iteration, the batch loss and accuracy, and the lr and λ it used.</summary>
public readonly record struct StepRecord(long Iteration, float Loss, float Accuracy, float Lr, float Lambda);
