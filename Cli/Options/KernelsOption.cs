using System.CommandLine;
using SphereFace.Models.Native;

namespace SphereFace.Cli.Options;

/// <summary>The <c>--kernels</c> option of every verb that runs a model (docs/kernels.md).</summary>
internal static class KernelsOption
{
    /// <summary>A fresh <c>--kernels</c> option (default <c>auto</c>: the fastest this machine runs).</summary>
    public static Option<string> Create(string what = "convolution kernels") => new("--kernels")
    {
        Description = $"{what}: {string.Join(", ", KernelNames.All)} (auto: the oneDNN kernels in this CPU's layout where oneDNN has optimised code, else standard)",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The parsed value; a bad name is a one-line error naming the flag.</summary>
    public static Kernels Parse(ParseResult p, Option<string> option)
    {
        string value = p.GetValue(option) ?? "auto";
        try
        {
            return KernelNames.Parse(value);
        }
        catch (ArgumentException)
        {
            throw new Models.Errors.InputException($"--kernels '{value}' is not one of {string.Join(", ", KernelNames.All)}.");
        }
    }
}
