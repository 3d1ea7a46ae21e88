using System.Buffers.Binary;
using System.Text;

namespace SphereFace.Graphs.IO.Pickle;

/// <summary>
/// A restricted reader of Python pickles (protocols 2–5, the opcodes that containers of numbers, strings, bytes and
/// PyTorch tensors use). A pickle is a program: it may name any global and call it, which is how a hostile file runs
/// code. Here nothing is imported or called — every global, call, BUILD and persistent id goes to the caller's
/// <see cref="IPickleRules"/>, which builds the few things its format is made of and refuses the rest. The machine is
/// iterative (no recursion on nesting), every length is checked against the bytes left before anything is allocated,
/// and the memo is bounded, so a crafted file can neither run code, overflow the stack nor claim memory it does not hold.
/// Values: None → null, bool, long, double, string, byte[] (also Python 2 <c>str</c>, as with
/// <c>encoding="bytes"</c>), <see cref="List{T}"/> of object (list), object?[] (tuple), <see cref="PickleDict"/>,
/// <see cref="PickleGlobal"/>, and whatever the rules return.
/// </summary>
public sealed class PickleReader
{
    private readonly byte[] _data;
    private readonly string _source;
    private readonly IPickleRules _rules;
    private int _at;

    /// <summary>Most memo entries (each opcode is at least one byte, so a file cannot hold more than its length).</summary>
    private const int MaxMemo = 1 << 24;

    private PickleReader(byte[] data, string source, IPickleRules rules) => (_data, _source, _rules) = (data, source, rules);

    /// <summary>Runs the pickle <paramref name="data"/> (named <paramref name="source"/> in errors) under <paramref name="rules"/>.</summary>
    /// <exception cref="InvalidDataException">A malformed pickle, an opcode outside the supported set, or a refusal of the rules.</exception>
    public static object? Load(byte[] data, string source, IPickleRules rules) => new PickleReader(data, source, rules).Run();

    private object? Run()
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        while (true)
        {
            int at = _at;
            byte op = Byte();
            switch (op)
            {
                case 0x80: Byte(); break;                                   // PROTO
                case 0x95: Bytes(8); break;                                 // FRAME: a length hint
                case (byte)'(': marks.Push(stack.Count); break;             // MARK
                case (byte)'.': return stack.Count == 1 ? stack[0] : throw Fail(at, $"STOP with {stack.Count} values on the stack");
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'K': stack.Add((long)Byte()); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;
                case 0x8a: stack.Add(Long1(at)); break;
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break;
                case (byte)'X': stack.Add(Utf8(at, Length(4, at))); break;
                case 0x8c: stack.Add(Utf8(at, Byte())); break;
                case 0x8d: stack.Add(Utf8(at, Length(8, at))); break;
                case (byte)'U': stack.Add(Bytes(Byte()).ToArray()); break;  // Python 2 str, read as bytes
                case (byte)'T': stack.Add(Bytes(Length(4, at)).ToArray()); break;
                case (byte)'C': stack.Add(Bytes(Byte()).ToArray()); break;
                case (byte)'B': stack.Add(Bytes(Length(4, at)).ToArray()); break;
                case 0x8e: stack.Add(Bytes(Length(8, at)).ToArray()); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case 0x85: stack.Add(Pop(stack, 1, at)); break;
                case 0x86: stack.Add(Pop(stack, 2, at)); break;
                case 0x87: stack.Add(Pop(stack, 3, at)); break;
                case (byte)'t': stack.Add(PopToMark(stack, marks, at)); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)'l': stack.Add(PopToMark(stack, marks, at).ToList()); break;
                case (byte)'a': { var v = Pop(stack, 1, at)[0]; ListAt(stack, at).Add(v); break; }
                case (byte)'e': { var items = PopToMark(stack, marks, at); ListAt(stack, at).AddRange(items); break; }
                case (byte)'}': stack.Add(new PickleDict()); break;
                case (byte)'d': stack.Add(Dict(PopToMark(stack, marks, at), new PickleDict(), at)); break;
                case (byte)'s': { var kv = Pop(stack, 2, at); Dict(kv, DictAt(stack, at), at); break; }
                case (byte)'u': { var kv = PopToMark(stack, marks, at); Dict(kv, DictAt(stack, at), at); break; }
                case (byte)'c': stack.Add(new PickleGlobal(Line(at), Line(at))); break;
                case 0x93:
                {
                    var mn = Pop(stack, 2, at);
                    stack.Add(mn is [string m, string n] ? new PickleGlobal(m, n) : throw Fail(at, "STACK_GLOBAL without two strings"));
                    break;
                }
                case (byte)'R':
                case 0x81:                                                  // REDUCE, NEWOBJ: callable(*args)
                {
                    var pair = Pop(stack, 2, at);
                    if (pair[0] is not PickleGlobal callable) throw Fail(at, "a call of something that is not a global");
                    if (pair[1] is not object?[] args) throw Fail(at, $"a call of {callable} without an argument tuple");
                    stack.Add(Refusable(at, () => _rules.Call(callable, args)));
                    break;
                }
                case (byte)'b':
                {
                    var pair = Pop(stack, 2, at);
                    stack.Add(Refusable(at, () => _rules.Build(pair[0], pair[1])));
                    break;
                }
                case (byte)'Q': { var id = Pop(stack, 1, at)[0]; stack.Add(Refusable(at, () => _rules.Persistent(id))); break; }
                case (byte)'q': Memo(memo, Byte(), stack, at); break;
                case (byte)'r': Memo(memo, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)), stack, at); break;
                case 0x94: Memo(memo, memo.Count, stack, at); break;
                case (byte)'h': stack.Add(Recall(memo, Byte(), at)); break;
                case (byte)'j': stack.Add(Recall(memo, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)), at)); break;
                case (byte)'0': Pop(stack, 1, at); break;                   // POP
                case (byte)'2': stack.Add(Top(stack, at)); break;           // DUP
                default: throw Fail(at, $"opcode 0x{op:X2} ('{(char)op}') is not one this reader runs");
            }
        }
    }

    private object? Refusable(int at, Func<object?> step)
    {
        try { return step(); }
        catch (InvalidDataException e) { throw Fail(at, e.Message); }
    }

    private byte Byte() => _at < _data.Length ? _data[_at++] : throw Fail(_at, "the pickle ends before STOP");

    private ReadOnlySpan<byte> Bytes(long n)
    {
        if (n < 0 || n > _data.Length - _at) throw Fail(_at, $"a field of {n} bytes, but {_data.Length - _at} are left");
        var span = _data.AsSpan(_at, (int)n);
        _at += (int)n;
        return span;
    }

    private long Length(int size, int at)
    {
        long n = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)) : (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8)), long.MaxValue);
        return n <= _data.Length - _at ? n : throw Fail(at, $"a length of {n} bytes, but {_data.Length - _at} are left");
    }

    private long Long1(int at)
    {
        int n = Byte();
        if (n > 8) throw Fail(at, $"an integer of {n} bytes (at most 8 are read)");
        var b = Bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
        if (n is > 0 and < 8 && (b[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // two's complement of n bytes
        return v;
    }

    private string Utf8(int at, long n)
    {
        try { return new UTF8Encoding(false, true).GetString(Bytes(n)); }
        catch (DecoderFallbackException) { throw Fail(at, "a string that is not UTF-8"); }
    }

    private string Line(int at)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _at);
        if (end < 0 || end - _at > 256) throw Fail(at, "GLOBAL without a name line");
        string s = Encoding.ASCII.GetString(_data, _at, end - _at);
        _at = end + 1;
        return s;
    }

    private object?[] Pop(List<object?> stack, int n, int at)
    {
        if (stack.Count < n) throw Fail(at, $"an opcode needing {n} values on the stack");
        var items = stack.GetRange(stack.Count - n, n).ToArray();
        stack.RemoveRange(stack.Count - n, n);
        return items;
    }

    private object?[] PopToMark(List<object?> stack, Stack<int> marks, int at)
    {
        if (marks.Count == 0) throw Fail(at, "an opcode needing a MARK without one");
        int from = marks.Pop();
        if (from > stack.Count) throw Fail(at, "a MARK past the stack");
        var items = stack.GetRange(from, stack.Count - from).ToArray();
        stack.RemoveRange(from, stack.Count - from);
        return items;
    }

    private object? Top(List<object?> stack, int at) => stack.Count > 0 ? stack[^1] : throw Fail(at, "an empty stack");

    private List<object?> ListAt(List<object?> stack, int at) => Top(stack, at) as List<object?> ?? throw Fail(at, "APPEND to something that is not a list");

    private PickleDict DictAt(List<object?> stack, int at) => Top(stack, at) as PickleDict ?? throw Fail(at, "SETITEM on something that is not a dict");

    private PickleDict Dict(object?[] keysAndValues, PickleDict dict, int at)
    {
        if (keysAndValues.Length % 2 != 0) throw Fail(at, "a dict with a key and no value");
        for (int i = 0; i < keysAndValues.Length; i += 2)
            dict.Set(keysAndValues[i] ?? throw Fail(at, "a dict key None"), keysAndValues[i + 1]);
        return dict;
    }

    private void Memo(Dictionary<long, object?> memo, long key, List<object?> stack, int at)
    {
        if (memo.Count >= MaxMemo && !memo.ContainsKey(key)) throw Fail(at, $"more than {MaxMemo} memo entries");
        memo[key] = Top(stack, at);
    }

    private object? Recall(Dictionary<long, object?> memo, long key, int at) =>
        memo.TryGetValue(key, out var v) ? v : throw Fail(at, $"memo entry {key} read before it was written");

    private InvalidDataException Fail(int at, string what) => new($"{_source}: byte {at} of the pickle: {what}.");
}
