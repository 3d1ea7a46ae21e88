using System.Collections.Concurrent;
using System.Reflection;
using SphereFace.Graphs.Building;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// Looks up the <see cref="IOpRule"/> for an op type. Every concrete rule class with a parameterless
/// constructor in this assembly is registered automatically; other assemblies may add theirs.
/// </summary>
public static class OpRegistry
{
    private static readonly ConcurrentDictionary<(string Domain, string OpType), IOpRule> Rules = Discover(typeof(OpRegistry).Assembly);

    /// <summary>The rule for <paramref name="opType"/> in <paramref name="domain"/>.</summary>
    public static IOpRule Get(string opType, string domain = "") =>
        Rules.TryGetValue((domain, opType), out var rule)
            ? rule
            : throw new GraphBuildException($"No shape rule for op '{(domain.Length > 0 ? domain + "." : "")}{opType}'. Known: {string.Join(", ", Rules.Keys.Select(k => k.OpType).Order())}.");

    /// <summary>Registers an extra rule (replacing one of the same domain and type) until the returned registration is disposed.</summary>
    public static Registration Register(IOpRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var key = (rule.Domain, rule.OpType);
        bool replaced = Rules.TryGetValue(key, out var previous);
        Rules[key] = rule;
        return new Registration(() =>
        {
            if (replaced) Rules[key] = previous!;
            else Rules.TryRemove(key, out _);
        });
    }

    private static ConcurrentDictionary<(string, string), IOpRule> Discover(Assembly assembly)
    {
        var map = new ConcurrentDictionary<(string, string), IOpRule>();
        foreach (var t in assembly.GetTypes())
        {
            if (t.IsAbstract || !typeof(IOpRule).IsAssignableFrom(t) || t.GetConstructor(Type.EmptyTypes) is null) continue;
            var rule = (IOpRule)Activator.CreateInstance(t)!;
            if (!map.TryAdd((rule.Domain, rule.OpType), rule))
                throw new InvalidOperationException($"Two rules for op '{rule.OpType}'.");
        }
        return map;
    }
}
