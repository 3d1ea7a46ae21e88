namespace SphereFace.Training.Session;

/// <summary>The scalar outputs of one training step: the batch's mean loss (before the update) and top-1 accuracy.</summary>
public readonly record struct StepResult(float Loss, float Accuracy);
