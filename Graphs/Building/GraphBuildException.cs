namespace SphereFace.Graphs.Building;

/// <summary>A graph could not be built: a shape, attribute or name is inconsistent. The message names the node.</summary>
public sealed class GraphBuildException(string message, Exception? inner = null) : Exception(message, inner);
