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
            string verb = parse.CommandResult.Command is RootCommand ? "" : $" {parse.CommandResult.Command.Name}";
            Console.Error.WriteLine($"sphereface: error: {parse.Errors[0].Message.Replace(Environment.NewLine, " ")} (see sphereface{verb} --help)");
            return CliAction.BadInput;
        }
        return parse.Invoke();
    }
}
