namespace SphereFace.Graphs.Import;

/// <summary>Checks on weights read from a published model's files.</summary>
internal static class ImportedValues
{
    /// <summary>
    /// <paramref name="values"/> when every one is finite; a NaN or ±∞ weight (a corrupt or tampered file: no trained
    /// net holds one) is refused naming <paramref name="where"/> and the first index.
    /// </summary>
    /// <exception cref="InvalidDataException">A value is not finite.</exception>
    public static float[] Finite(float[] values, string where)
    {
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        return bad < 0 ? values : throw new InvalidDataException($"{where}: value {bad} is {values[bad]}; a trained net's weights are finite numbers.");
    }
}
