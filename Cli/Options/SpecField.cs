using System.CommandLine;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Options;

/// <summary>
/// A command-line option bound to a run-spec field: when the option is given, <see cref="Apply"/> writes its value into
/// the spec (typed), overriding a spec file and the defaults; <see cref="Path"/> (dot-separated, e.g.
/// <c>solver.base_lr</c>) names the field in messages.
/// </summary>
internal sealed record SpecField(Option Option, string Path, Func<RunSpec, ParseResult, RunSpec> Apply)
{
    /// <summary>A field set to the option's parsed value.</summary>
    public static SpecField Of<T>(Option<T> option, string path, Func<RunSpec, T, RunSpec> set) => new(option, path, (s, p) => set(s, Finite(option, p.GetValue(option))!));

    /// <summary>A field holding a file path: the option's value made absolute against the working directory.</summary>
    public static SpecField OfPath(Option<string> option, string path, Func<RunSpec, string, RunSpec> set) =>
        new(option, path, (s, p) => set(s, System.IO.Path.GetFullPath(p.GetValue(option)!)));

    // No field accepts NaN or ∞ (and JSON cannot hold them): refused here, naming the flag.
    private static T? Finite<T>(Option<T> option, T? value) => value switch
    {
        float f when !float.IsFinite(f) => throw new Models.Errors.InputException($"{option.Name} must be a finite number, got {f}."),
        double d when !double.IsFinite(d) => throw new Models.Errors.InputException($"{option.Name} must be a finite number, got {d}."),
        _ => value,
    };

    /// <summary>True when the option was typed on the command line (not its default).</summary>
    public bool IsGiven(ParseResult p) => Given(p, Option);

    /// <summary>True when <paramref name="option"/> was typed on the command line.</summary>
    public static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>True when field <paramref name="path"/> lies in <paramref name="section"/> (or is it).</summary>
    public static bool Under(string path, string section) => path == section || path.StartsWith(section + ".", StringComparison.Ordinal);
}
