using System.CommandLine;
using SphereFace.Cli.Commands;

namespace SphereFace.Cli;

/// <summary>The <c>sphereface</c> command line, callable in-process (tests) or from <c>Main</c>.</summary>
public static class CliApp
{
    /// <summary>
    /// Parses and runs <paramref name="args"/>; returns the exit code: 0 ok, 2 bad input (a usage error included: one
    /// line naming it), 3 a diverged training run, 1 a bug (<see cref="CliAction"/>).
    /// </summary>
    public static int Run(string[] args)
    {
        var root = new RootCommand("SphereFace: train SphereFace-style face-embedding networks as ONNX graphs and serve their embeddings.");
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            string verb = command is RootCommand ? "" : $" {command.Name}";
            string message = parse.Errors[0].Message.Replace(Environment.NewLine, " ");
            // A mistyped verb reaches the root as an unmatched token ("Required command was not provided" first): name it.
            if (command is RootCommand && parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-')) is { } unknown)
                message = $"unknown verb '{unknown}'";
            string hint = Options.Suggestion.For(command, parse.UnmatchedTokens);
            Console.Error.WriteLine($"sphereface: error: {message}{hint} (see sphereface{verb} --help)");
            return CliAction.BadInput;
        }
        return parse.Invoke();
    }
}
