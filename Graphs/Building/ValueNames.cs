using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Building;

/// <summary>The value and initializer names already used in a graph, handing out fresh ones for rewrites.</summary>
public sealed class ValueNames
{
    private readonly HashSet<string> _used;

    /// <summary>Collects every node input/output and initializer name of <paramref name="graph"/>.</summary>
    public ValueNames(GraphProto graph) =>
        _used = new HashSet<string>(graph.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.Input.Select(i => i.Name)), StringComparer.Ordinal);

    /// <summary><c>stem/suffix</c>, or with <c>_1</c>, <c>_2</c>, … appended when taken; the name is then marked used.</summary>
    public string Fresh(string stem, string suffix)
    {
        string name = $"{stem}/{suffix}";
        for (int i = 1; !_used.Add(name); i++) name = $"{stem}/{suffix}_{i}";
        return name;
    }
}
