using System.CommandLine;

namespace SphereFace.Cli.Commands;

/// <summary><c>bench</c>: performance measurements, one subcommand per benchmark.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var cmd = new Command("bench", "Measure performance (each subcommand prints its figures and peer ratios).");
        foreach (var sub in Benchmarks()) cmd.Subcommands.Add(sub);
        return cmd;
    }

    /// <summary>The benchmarks; add one line per new subcommand.</summary>
    private static IEnumerable<Command> Benchmarks() =>
    [
        BenchTrainCommand.Create(),
        BenchConvGradCommand.Create(),
        BenchEmbedCommand.Create(),
        BenchDetectCommand.Create(),
    ];
}
