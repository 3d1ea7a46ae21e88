using System.Collections.Concurrent;
using System.Reflection;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// The loss heads by name. Every concrete <see cref="ILossHead"/> with a parameterless constructor in this assembly is
/// registered automatically (the way <see cref="Ops.OpRegistry"/> finds op rules); other assemblies may add theirs, so
/// a new head is one new class (docs/losses.md).
/// </summary>
public static class LossHeads
{
    private static readonly ConcurrentDictionary<string, ILossHead> Heads = Discover(typeof(LossHeads).Assembly);

    /// <summary>Every head, by name.</summary>
    public static IReadOnlyList<ILossHead> All => Heads.Values.OrderBy(h => Order(h.Name)).ThenBy(h => h.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The head called <paramref name="name"/> (case-insensitive; "-" and "_" are the same).</summary>
    /// <exception cref="ArgumentException">No such head; the message lists the names.</exception>
    public static ILossHead Get(string name) =>
        Heads.TryGetValue(Key(name), out var head) ? head
        : throw new Models.Errors.InputException($"Unknown loss '{name}'; expected one of {string.Join(", ", All.Select(h => h.Name))}.");

    /// <summary>Adds a head (replacing one of the same name) until the returned registration is disposed.</summary>
    public static Registration Register(ILossHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        string key = Key(head.Name);
        bool replaced = Heads.TryGetValue(key, out var previous);
        Heads[key] = head;
        return new Registration(() =>
        {
            if (replaced) Heads[key] = previous!;
            else Heads.TryRemove(key, out _);
        });
    }

    /// <summary>
    /// Adds every concrete <see cref="ILossHead"/> with a parameterless constructor in <paramref name="assembly"/> —
    /// how an application's own heads join the built-in ones (docs/losses.md); disposing the result removes them again.
    /// </summary>
    /// <exception cref="InvalidOperationException">Two heads of that assembly share a name.</exception>
    public static Registration RegisterAll(Assembly assembly)
    {
        var added = Discover(assembly).Values.Select(Register).ToList();
        return new Registration(() => { for (int i = added.Count - 1; i >= 0; i--) added[i].Dispose(); });
    }

    /// <summary>
    /// Appends the head of <paramref name="config"/> to <paramref name="g"/>: <paramref name="feature"/> [B, D] float,
    /// <paramref name="label"/> [B] int64, <paramref name="lambda"/> a float scalar; classifier weights come from (or are
    /// created in) <paramref name="store"/>. Heads may declare state inputs (<see cref="LossOutputs.State"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Inputs of the wrong type or shape, fewer than 2 classes, or an invalid parameter.</exception>
    public static LossOutputs Append(GraphBuilder g, string feature, string label, string lambda, int classes, LossConfig config, ParameterStore store)
    {
        ArgumentNullException.ThrowIfNull(config);
        var f = g.Info(feature);
        if (f.Type != ElementType.Float || f.Rank != 2 || f.Shape[1] <= 0)
            throw new ArgumentException($"Loss head: feature '{feature}' must be float [B, D] with a known D, got {f}.");
        var l = g.Info(label);
        if (l.Type != ElementType.Int64 || l.Rank != 1)
            throw new ArgumentException($"Loss head: label '{label}' must be int64 [B], got {l}.");
        var lam = g.Info(lambda);
        if (lam.Type != ElementType.Float || lam.Rank != 0)
            throw new ArgumentException($"Loss head: lambda '{lambda}' must be a float scalar, got {lam}.");
        if (classes < 2) throw new ArgumentException($"Loss head: classes must be at least 2, got {classes}.");
        var head = config.Rule;
        head.Validate(config);
        using var _ = g.Scope("loss");
        return head.Append(new LossInputs(g, feature, label, lambda, classes, store), config);
    }

    private static string Key(string name) => name.Trim().ToLowerInvariant().Replace('_', '-');

    // The built-in heads in the order the papers introduce them; others after, by name.
    private static int Order(string name) => Array.IndexOf(["softmax", "modified", "asoftmax", "amsoftmax", "irsoftmax-a", "irsoftmax-am"], name) is var i and >= 0 ? i : int.MaxValue;

    private static ConcurrentDictionary<string, ILossHead> Discover(Assembly assembly)
    {
        var map = new ConcurrentDictionary<string, ILossHead>();
        foreach (var t in assembly.GetTypes())
        {
            if (t.IsAbstract || !typeof(ILossHead).IsAssignableFrom(t) || t.GetConstructor(Type.EmptyTypes) is null) continue;
            var head = (ILossHead)Activator.CreateInstance(t)!;
            if (!map.TryAdd(Key(head.Name), head)) throw new InvalidOperationException($"Two loss heads named '{head.Name}'.");
        }
        return map;
    }
}
