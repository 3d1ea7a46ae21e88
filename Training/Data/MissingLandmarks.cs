namespace SphereFace.Training.Data;

/// <summary>What to do with an image that the landmark list does not mention.</summary>
public enum MissingLandmarks
{
    /// <summary>Refuse to load, listing the images without landmarks.</summary>
    Error,

    /// <summary>Leave those images out (and report how many).</summary>
    Skip,
}
