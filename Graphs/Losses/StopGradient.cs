using SphereFace.Graphs.Building;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// Stop-gradient marker: an <c>Identity</c> node whose name ends with <c>/stop_gradient</c>. It is a plain
/// identity at run time; the autodiff engine sends no gradient through it.
/// </summary>
public static class StopGradient
{
    /// <summary>Suffix that marks an Identity node as a stop-gradient.</summary>
    public const string Suffix = "/stop_gradient";

    /// <summary>Appends the marker on <paramref name="value"/>; <paramref name="what"/> names it (e.g. "centres").</summary>
    public static string Apply(GraphBuilder g, string value, string what)
    {
        string name = g.FreshName(what) + Suffix;
        while (g.Has(name)) name = g.FreshName(what) + Suffix;
        return g.Node("Identity", [value], name: name);
    }

    /// <summary>True when <paramref name="nodeName"/> of an Identity node marks a stop-gradient.</summary>
    public static bool IsMarker(string opType, string nodeName) => opType == "Identity" && nodeName.EndsWith(Suffix, StringComparison.Ordinal);
}
