namespace SphereFace.Graphs.Losses;

/// <summary>The classification losses a net can be trained with.</summary>
public enum LossKind
{
    /// <summary>FC with bias + softmax cross-entropy (the paper's baseline).</summary>
    Softmax,
    /// <summary>Column-normalised weights, zero bias: logits ‖x‖cos θ_j.</summary>
    Modified,
    /// <summary>A-Softmax: target logit (λ‖x‖cos θ + ‖x‖ψ(θ)) / (1 + λ).</summary>
    ASoftmax,
    /// <summary>AM-Softmax: s·(cos θ − m) for the target, s·cos θ_j otherwise.</summary>
    AMSoftmax,
    /// <summary>IR-Softmax on A-Softmax: class centres of normalised features as weights.</summary>
    IRSoftmaxA,
    /// <summary>IR-Softmax on AM-Softmax.</summary>
    IRSoftmaxAM,
}

/// <summary>
/// A loss head's settings. <paramref name="M"/> is the angular margin of A-Softmax (integer ≥ 1);
/// <paramref name="AmMargin"/> and <paramref name="AmScale"/> are AM-Softmax's m and s;
/// <paramref name="UsePlugin"/> chooses the native ψ op (true) or its pure-ONNX twin (false).
/// IR-Softmax only: <paramref name="Centres"/> selects the centre update, <paramref name="MemoryBankSize"/> is K
/// of the memory bank, <paramref name="CentreLossWeight"/> scales the centre loss ‖c_y − x/‖x‖‖².
/// Softmax only: <paramref name="ClassifierBias"/> false removes the classifier bias (ablation "remove biases", paper App. E).
/// </summary>
public sealed record LossConfig(
    LossKind Kind = LossKind.ASoftmax,
    int M = 4,
    float AmMargin = 0.35f,
    float AmScale = 30f,
    bool UsePlugin = true,
    CentreUpdate Centres = CentreUpdate.Loss,
    int MemoryBankSize = 8,
    float CentreLossWeight = 1f,
    bool ClassifierBias = true);
