using System.Globalization;
using System.Text;

namespace SphereFace.Graphs.Import.Caffe;

/// <summary>
/// One message of protobuf's text format (Caffe's .prototxt), as read by <see cref="Prototxt.Parse"/>: its fields in
/// file order, each a scalar (the token's text, strings unquoted) or a nested message. Google.Protobuf for C# reads
/// the binary and JSON forms only, hence this reader of the text form's grammar (fields, nested braces, quoted
/// strings, '#' comments, optional ':' before a brace, optional ';' or ',' separators, [a, b] lists).
/// </summary>
public sealed class TextMessage
{
    private readonly List<(string Name, object Value)> _fields = [];

    internal void Add(string name, object value) => _fields.Add((name, value));

    /// <summary>Every scalar value of field <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> Scalars(string name) => _fields.Where(f => f.Name == name && f.Value is string).Select(f => (string)f.Value).ToList();

    /// <summary>The field's single scalar value, or null when absent.</summary>
    public string? Scalar(string name) => Scalars(name) is { Count: > 0 } v ? v[^1] : null;

    /// <summary>Every nested message of field <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<TextMessage> Messages(string name) => _fields.Where(f => f.Name == name && f.Value is TextMessage).Select(f => (TextMessage)f.Value).ToList();

    /// <summary>The field's nested message, or null when absent.</summary>
    public TextMessage? Message(string name) => Messages(name) is { Count: > 0 } m ? m[^1] : null;

    /// <summary>The field's single scalar as an integer, <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="InvalidDataException">The value is not an integer.</exception>
    public long Integer(string name, long fallback) => Scalar(name) is not { } s ? fallback
        : long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
        : throw new InvalidDataException($"field '{name}' is '{s}', not an integer.");
}

/// <summary>Reads protobuf's text format (see <see cref="TextMessage"/>).</summary>
public static class Prototxt
{
    /// <summary>Deepest nesting of messages accepted (Caffe's nets nest four deep); deeper input is refused, not recursed into.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in errors, with the line.</summary>
    /// <exception cref="InvalidDataException">The text is not well formed; the message gives the line.</exception>
    public static TextMessage Parse(string text, string source)
    {
        var tokens = Tokenize(text, source);
        int i = 0;
        var root = ParseFields(tokens, ref i, source, depth: 0);
        return root;
    }

    private readonly record struct Token(string Text, bool Quoted, int Line);

    private static TextMessage ParseFields(List<Token> t, ref int i, string source, int depth)
    {
        bool topLevel = depth == 0;
        if (depth > MaxDepth) throw Error(source, t[i - 1], $"messages nested more than {MaxDepth} deep");
        var message = new TextMessage();
        while (i < t.Count)
        {
            var name = t[i];
            if (!name.Quoted && name.Text == "}")
            {
                if (topLevel) throw Error(source, name, "'}' without a matching '{'");
                i++;
                return message;
            }
            if (name.Quoted || !IsIdentifier(name.Text)) throw Error(source, name, $"expected a field name, found '{name.Text}'");
            i++;
            bool colon = i < t.Count && !t[i].Quoted && t[i].Text == ":";
            if (colon) i++;
            if (i >= t.Count) throw Error(source, name, $"field '{name.Text}' has no value");
            var next = t[i];
            if (!next.Quoted && (next.Text == "{" || next.Text == "<"))
            {
                i++;
                message.Add(name.Text, ParseFields(t, ref i, source, depth + 1));
            }
            else if (!next.Quoted && next.Text == "[")
            {
                i++;
                while (i < t.Count && !(t[i].Text == "]" && !t[i].Quoted))
                {
                    if (!t[i].Quoted && t[i].Text == ",") { i++; continue; }
                    if (!t[i].Quoted && t[i].Text == "{") { i++; message.Add(name.Text, ParseFields(t, ref i, source, depth + 1)); continue; }
                    message.Add(name.Text, t[i++].Text);
                }
                if (i >= t.Count) throw Error(source, next, "'[' without a matching ']'");
                i++;
            }
            else
            {
                if (!colon) throw Error(source, next, $"expected ':' after field '{name.Text}'");
                if (!next.Quoted && next.Text is "{" or "}" or ":" or "]") throw Error(source, next, $"field '{name.Text}' has no value");
                message.Add(name.Text, next.Text);
                i++;
            }
            if (i < t.Count && !t[i].Quoted && t[i].Text is ";" or ",") i++;
        }
        if (!topLevel) throw new InvalidDataException($"{source}: a '{{' is not closed before the end of the file.");
        return message;
    }

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static InvalidDataException Error(string source, Token at, string what) => new($"{source}:{at.Line}: {what}.");

    private static List<Token> Tokenize(string text, string source)
    {
        var tokens = new List<Token>();
        int line = 1;
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#') { while (i < text.Length && text[i] != '\n') i++; continue; }
            if (c is '{' or '}' or ':' or '[' or ']' or ';' or ',' or '<' or '>')
            {
                tokens.Add(new(c == '<' ? "{" : c == '>' ? "}" : c.ToString(), false, line));
                i++;
                continue;
            }
            if (c is '"' or '\'')
            {
                var sb = new StringBuilder();
                int start = line;
                i++;
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\n') throw new InvalidDataException($"{source}:{start}: a string is not closed on its line.");
                    if (text[i] == '\\' && i + 1 < text.Length) { sb.Append(Unescape(text[i + 1])); i += 2; continue; }
                    sb.Append(text[i++]);
                }
                if (i >= text.Length) throw new InvalidDataException($"{source}:{start}: a string is not closed.");
                i++;
                tokens.Add(new(sb.ToString(), true, start));
                continue;
            }
            int begin = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ':' or '[' or ']' or ';' or ',' or '#' or '"' or '\'' or '<' or '>')) i++;
            tokens.Add(new(text[begin..i], false, line));
        }
        return tokens;
    }

    private static char Unescape(char c) => c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => c };
}
