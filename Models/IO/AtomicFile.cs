using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SphereFace.Models.IO;

/// <summary>
/// Writes files through a temporary sibling and a rename, so a reader (or a crash) never sees a half-written
/// file and the previous version survives until the new one is complete. The data is flushed to disk before the
/// rename and the folder after it, so a completed write also survives a power loss. Temporaries are named
/// <c>.NAME.PID.GUID.tmp</c>; <see cref="RemoveStale"/> deletes those a killed process left behind.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> by calling <paramref name="write"/> on a temporary file, then renaming it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
        SyncDirectory(dir);
    }

    /// <summary>Writes all bytes atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes text (UTF-8) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Deletes the temporaries in <paramref name="folder"/> that a process no longer running left behind (killed during
    /// a write); returns their names. Temporaries of running processes are kept.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var m = TemporaryName().Match(Path.GetFileName(file));
            if (!m.Success || !int.TryParse(m.Groups[1].ValueSpan, out int pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
                removed.Add(Path.GetFileName(file));
            }
            catch (IOException) { }
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\..+\.(\d+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryName();

    // The rename is durable once the folder's entry is on disk: fsync the folder (POSIX; elsewhere renames are
    // journalled by the file system and there is no portable call).
    private static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = FSync(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
