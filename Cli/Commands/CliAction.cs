using SphereFace.Graphs.Building;

namespace SphereFace.Cli.Commands;

/// <summary>Runs a verb's body and turns expected failures into one clear line on stderr and exit code 2.</summary>
internal static class CliAction
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or GraphBuildException or KeyNotFoundException or FormatException or NotSupportedException
                                      or InvalidOperationException)
        {
            Console.Error.WriteLine($"sphereface: error: {e.Message}");
            return 2;
        }
    }
}
