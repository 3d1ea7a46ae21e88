using System.CommandLine;
using SphereFace.Cli.Commands;

namespace SphereFace.Cli;

/// <summary>The <c>sphereface</c> command line, callable in-process (tests) or from <c>Main</c>.</summary>
public static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 ok, 2 bad input, 1 usage).</summary>
    public static int Run(string[] args)
    {
        var root = new RootCommand("SphereFace: train SphereFace-style face-embedding networks as ONNX graphs and serve their embeddings.");
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root.Parse(args).Invoke();
    }
}
