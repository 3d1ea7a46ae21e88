namespace SphereFace.Training.Runs;

/// <summary>
/// Holds a run folder for one training process: an exclusive lock on its <c>run.lock</c> (an advisory file lock the
/// operating system drops when the process ends, so a killed run leaves no stale lock), with the owner's process id
/// and start time in <c>run.owner</c> for the message a second process gets.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _owner;

    private RunFolderLock(FileStream held, string owner)
    {
        _lock = held;
        _owner = owner;
    }

    /// <summary>Creates <paramref name="folder"/> if needed and takes its lock.</summary>
    /// <exception cref="IOException">Another process holds the folder (the message names it), or the path is a file.</exception>
    public static RunFolderLock Acquire(string folder)
    {
        if (File.Exists(folder)) throw new IOException($"Run folder '{folder}' is an existing file.");
        Directory.CreateDirectory(folder);
        string lockPath = Path.Combine(folder, "run.lock"), ownerPath = Path.Combine(folder, "run.owner");
        FileStream held;
        try
        {
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "another process";
            throw new IOException($"Run folder '{folder}' is in use by {owner}; wait for that run to end or train into another --out.");
        }
        File.WriteAllText(ownerPath, $"process {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\n");
        return new RunFolderLock(held, ownerPath);
    }

    /// <summary>Releases the folder.</summary>
    public void Dispose()
    {
        try { File.Delete(_owner); } catch (IOException) { } // a leftover owner line is harmless: the lock decides
        _lock.Dispose();
    }
}
