namespace SphereFace.Graphs.Losses;

/// <summary>How IR-Softmax keeps its class centres (the weights of its classifier) up to date.</summary>
public enum CentreUpdate
{
    /// <summary>
    /// The IR-Softmax paper's choice (iii): centres are parameters trained only by the extra loss
    /// ‖c_y − x/‖x‖‖² (the main loss sees them through a stop-gradient), renormalised to unit rows after every update.
    /// </summary>
    Loss,
    /// <summary>
    /// (ii) a memory bank: the centre of a class is the normalised mean of the last K normalised features of that
    /// class, carried as state between steps; no back-propagation.
    /// </summary>
    MemoryBank,
}
