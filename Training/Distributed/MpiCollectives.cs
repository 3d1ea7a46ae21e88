using System.Runtime.InteropServices;
using System.Text;
using SphereFace.Models.Errors;

namespace SphereFace.Training.Distributed;

/// <summary>
/// <see cref="ICollectives"/> on MPI through the project's shim <c>libsphereface_mpi.so</c> (built against the MPI at
/// hand, Debian's Open MPI 4.1; docs/distributed.md). Every collective runs under a watchdog: one that has not
/// completed after <see cref="Timeout"/> (a rank died or hangs) writes why to stderr and aborts the whole job, so no
/// rank waits forever.
/// </summary>
public sealed unsafe class MpiCollectives : ICollectives, IDisposable
{
    /// <summary>File name of the shim.</summary>
    public const string LibraryName = "libsphereface_mpi.so";
    /// <summary>Environment variable naming another location of the shim.</summary>
    public const string PathVariable = "SPHEREFACE_MPI_SHIM";
    /// <summary>Exit status of a job aborted by the watchdog (a collective timed out); not 3, which means a diverged run.</summary>
    public const int AbortStatus = 4;

    private readonly IntPtr _library;
    private readonly delegate* unmanaged<float*, long, int> _sumF32;
    private readonly delegate* unmanaged<double*, int, int> _sumF64;
    private readonly delegate* unmanaged<ulong, ulong*, ulong*, int> _minMax;
    private readonly delegate* unmanaged<int, void> _abort;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<int, byte*, int, void> _errorString;
    private readonly Timer _watchdog;
    private string _waitingFor = "";
    private bool _disposed;

    /// <summary>Loads the shim and initialises MPI (call once per process, under mpirun).</summary>
    /// <param name="timeout">Longest wait of one collective before the job is aborted.</param>
    /// <exception cref="SphereFaceException">The shim is missing or MPI cannot start (<see cref="SphereFaceErrorCode.DistributedFailure"/>).</exception>
    public MpiCollectives(TimeSpan timeout)
    {
        Timeout = timeout;
        _watchdog = new Timer(_ => Abort($"{_waitingFor} did not complete within {Timeout.TotalSeconds:F0} s: another rank has stopped or hangs; aborting the job"));
        string path = LibraryPath();
        if (!NativeLibrary.TryLoad(path, out _library))
            throw new SphereFaceException(SphereFaceErrorCode.DistributedFailure,
                $"cannot load the MPI shim '{path}' (it links Open MPI's libmpi.so.40: apt-get install openmpi-bin libopenmpi-dev, then ./sphereface mpi-setup).");
        var init = (delegate* unmanaged<int*, int*, int>)Export("sf_mpi_init");
        _sumF32 = (delegate* unmanaged<float*, long, int>)Export("sf_mpi_allreduce_sum_f32");
        _sumF64 = (delegate* unmanaged<double*, int, int>)Export("sf_mpi_allreduce_sum_f64");
        _minMax = (delegate* unmanaged<ulong, ulong*, ulong*, int>)Export("sf_mpi_allreduce_min_max_u64");
        _abort = (delegate* unmanaged<int, void>)Export("sf_mpi_abort");
        _finalize = (delegate* unmanaged<int>)Export("sf_mpi_finalize");
        _errorString = (delegate* unmanaged<int, byte*, int, void>)Export("sf_mpi_error_string");
        int rank, size;
        Check(init(&rank, &size), "MPI_Init");
        Rank = rank;
        Size = size;
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>Longest wait of one collective before the job is aborted.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether this process was started by Open MPI's mpirun (its launcher sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool UnderMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <inheritdoc/>
    public void Sum(Span<float> values)
    {
        Arm("an allreduce of floats");
        try { fixed (float* p = values) Check(_sumF32(p, values.Length), "MPI_Allreduce"); }
        finally { Disarm(); }
    }

    /// <inheritdoc/>
    public void Sum(Span<double> values)
    {
        Arm("an allreduce of doubles");
        try { fixed (double* p = values) Check(_sumF64(p, values.Length), "MPI_Allreduce"); }
        finally { Disarm(); }
    }

    /// <inheritdoc/>
    public bool AllEqual(ulong value)
    {
        Arm("the start-up agreement check");
        try
        {
            ulong min, max;
            Check(_minMax(value, &min, &max), "MPI_Allreduce");
            return min == max;
        }
        finally { Disarm(); }
    }

    /// <summary>Writes <paramref name="message"/> to stderr and ends every rank of the job; mpirun exits with <paramref name="status"/>.</summary>
    public void Abort(string message, int status = AbortStatus)
    {
        Console.Error.WriteLine($"sphereface: rank {Rank} of {Size}: {message}");
        Console.Error.Flush();
        _abort(status);
    }

    /// <summary>The collective timeout: <c>SPHEREFACE_MPI_TIMEOUT_S</c> seconds when set, else 300 s.</summary>
    /// <exception cref="ArgumentException">The variable is not a positive number.</exception>
    public static TimeSpan TimeoutFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable("SPHEREFACE_MPI_TIMEOUT_S");
        if (string.IsNullOrEmpty(value)) return TimeSpan.FromSeconds(300);
        return double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new Models.Errors.InputException($"SPHEREFACE_MPI_TIMEOUT_S = '{value}' is not a positive number of seconds.");
    }

    /// <summary>Finalises MPI (every rank must call it before a clean exit).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _watchdog.Dispose();
        _finalize();
    }

    // One timer for every collective: armed before the call, disarmed after, so a step allocates nothing for it.
    private void Arm(string what)
    {
        _waitingFor = what;
        _watchdog.Change(Timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    private void Disarm() => _watchdog.Change(System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);

    private void Check(int code, string call)
    {
        if (code == 0) return;
        var text = new byte[512];
        fixed (byte* p = text) _errorString(code, p, text.Length);
        string message = Encoding.UTF8.GetString(text, 0, Math.Max(0, Array.IndexOf(text, (byte)0)));
        throw new SphereFaceException(SphereFaceErrorCode.DistributedFailure, $"rank {Rank}: {call} failed: {message} (MPI error {code}).");
    }

    private IntPtr Export(string name) =>
        NativeLibrary.TryGetExport(_library, name, out var address) ? address
            : throw new SphereFaceException(SphereFaceErrorCode.DistributedFailure, $"the MPI shim has no export '{name}': rebuild it (./sphereface mpi-setup).");

    private static string LibraryPath()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnv) return Path.GetFullPath(fromEnv);
        string beside = Path.Combine(AppContext.BaseDirectory, LibraryName);
        string packaged = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LibraryName);
        return File.Exists(beside) || !File.Exists(packaged) ? beside : packaged;
    }
}
