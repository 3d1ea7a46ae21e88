namespace SphereFace.Graphs.IO.Pickle;

/// <summary>A global a pickle names (<c>module.name</c>): data only; what it may become is the caller's decision.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A dict of a pickle, keys in insertion order (a state dict's order is its layers' order).</summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    /// <summary>The entries in insertion order (a later value for the same key replaces the earlier in place).</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    internal void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int at)) _items[at] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }

    /// <summary>The value of a string key, or null.</summary>
    public object? this[string key] => _index.TryGetValue(key, out int at) ? _items[at].Value : null;
}

/// <summary>What a restricted reader lets a pickle build (see <see cref="PickleReader"/>).</summary>
public interface IPickleRules
{
    /// <summary>The value of calling <paramref name="callable"/> (a global) with <paramref name="args"/>; throw to refuse.</summary>
    object? Call(PickleGlobal callable, object?[] args);

    /// <summary>The object after BUILD (Python's <c>__setstate__</c>) with <paramref name="state"/>; throw to refuse.</summary>
    object? Build(object? target, object? state);

    /// <summary>The object a persistent id stands for (PyTorch's tensor storages); throw to refuse.</summary>
    object? Persistent(object? id);
}
