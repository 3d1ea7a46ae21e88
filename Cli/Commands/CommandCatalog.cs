using System.CommandLine;

namespace SphereFace.Cli.Commands;

/// <summary>The verbs of <c>./sphereface</c>, in the order the pipeline uses them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        BuildGraphCommand.Create(),
        SynthCommand.Create(),
        StatsCommand.Create(),
        TrainCommand.Create(),
        ExportCommand.Create(),
        ImportCommand.Create(),
        QuantizeCommand.Create(),
        DetectCommand.Create(),
        EmbedCommand.Create(),
        EvalCommand.Create(),
        PlotCommand.Create(),
        ExperimentCommand.Create(),
        BenchCommand.Create(),
        DemoCommand.Create(),
    ];
}
