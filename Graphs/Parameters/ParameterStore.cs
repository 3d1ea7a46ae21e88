namespace SphereFace.Graphs.Parameters;

/// <summary>
/// The trainable tensors of a model, by name, in declaration order. Graph code asks for a parameter with
/// <see cref="GetOrCreate"/>: a stored one (loaded from a checkpoint) is returned after a shape check,
/// a missing one is created and filled from a stream seeded by (seed, name), so each parameter's initial
/// values do not depend on which other parameters exist.
/// </summary>
public sealed class ParameterStore
{
    private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);
    private readonly List<Parameter> _ordered = [];

    /// <summary>An empty store that initialises new parameters from <paramref name="seed"/>.</summary>
    public ParameterStore(ulong seed) => Seed = seed;

    /// <summary>Seed of the initialisation.</summary>
    public ulong Seed { get; }

    /// <summary>All parameters in declaration order.</summary>
    public IReadOnlyList<Parameter> All => _ordered;

    /// <summary>Total number of values.</summary>
    public long TotalCount => _ordered.Sum(p => p.Count);

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    public Parameter this[string name] => _byName.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"No parameter named '{name}'.");

    /// <summary>True when a parameter of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Adds an existing parameter (e.g. read from a checkpoint).</summary>
    public void Add(Parameter p)
    {
        if (!_byName.TryAdd(p.Name, p)) throw new ArgumentException($"Parameter '{p.Name}' is already in the store.");
        _ordered.Add(p);
    }

    /// <summary>Returns the stored parameter (checking its shape) or creates and fills a new one.</summary>
    public Parameter GetOrCreate(string name, long[] shape, Filler filler, float lrMult = 1f, float decayMult = 1f)
    {
        if (_byName.TryGetValue(name, out var existing))
        {
            if (!existing.Shape.SequenceEqual(shape))
                throw new ArgumentException($"Parameter '{name}' has shape [{string.Join(",", existing.Shape)}], the graph needs [{string.Join(",", shape)}].");
            return existing;
        }
        var data = new float[shape.Aggregate(1L, (a, d) => a * d)];
        filler.Fill(data, shape, SeededRandom.ForName(Seed, name));
        var p = new Parameter(name, shape, data, lrMult, decayMult);
        Add(p);
        return p;
    }
}
