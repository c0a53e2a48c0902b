using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Json;
using IdResolution.Core.Templates;
using IdResolution.Core.Values;
using nietras.SeparatedValues;

namespace IdResolution.Registry.Import;

public enum ImportFormat
{
    /// <summary>A header <c>handle,template,1:URL,2000:productName,...</c> (template and value columns optional), one identifier per row.</summary>
    Csv,

    /// <summary>One JSON record per line: <c>{"handle":"...","template":"name@version","values":[...]}</c>.</summary>
    JsonLines,
}

/// <summary>One identifier as read from an import file, with its line; or why its line could not be read.</summary>
public readonly record struct ImportItem(long Line, string? Handle, List<HandleValue>? Values, string? Error);

/// <summary>
/// Reads import files as a stream of identifiers, one at a time, so that a file of any size is read in bounded
/// memory. CSV is read with Sep (quotes and escapes per RFC 4180); every value is UTF-8 text.
/// </summary>
public static class ImportReader
{
    public const int MaxLineBytes = 1024 * 1024;

    public static IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, ImportFormat format, CancellationToken cancellationToken) =>
        format == ImportFormat.Csv ? ReadCsvAsync(stream, cancellationToken) : ReadJsonLinesAsync(stream, cancellationToken);

    private static async IAsyncEnumerable<ImportItem> ReadCsvAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = await Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true, Sep = new Sep(',') }).FromAsync(stream, cancellationToken);
        var columns = Columns(reader.Header.ColNames, out var handleColumn, out var templateColumn);
        while (await reader.MoveNextAsync(cancellationToken))
        {
            var row = reader.Current;
            if (row.ColCount != reader.Header.ColNames.Count)
            {
                yield return new ImportItem(row.LineNumberFrom, null, null, $"{row.ColCount} columns; the header has {reader.Header.ColNames.Count}");
                continue;
            }

            var values = new List<HandleValue>(columns.Count + 1);
            if (templateColumn >= 0 && row[templateColumn].Span.Length > 0)
            {
                values.Add(new HandleValue(TemplateReference.Index, TemplateReference.ValueType, Encoding.UTF8.GetBytes(row[templateColumn].ToString())));
            }

            foreach (var (column, index, type) in columns)
            {
                var cell = row[column].Span;
                if (cell.Length > 0)
                {
                    var data = new byte[Encoding.UTF8.GetByteCount(cell)];
                    Encoding.UTF8.GetBytes(cell, data);
                    values.Add(new HandleValue(index, type, data));
                }
            }

            yield return new ImportItem(row.LineNumberFrom, row[handleColumn].ToString(), values, null);
        }
    }

    /// <summary>The value columns (<c>index:type</c>), and where the handle and template columns are.</summary>
    private static List<(int Column, int Index, string Type)> Columns(IReadOnlyList<string> names, out int handle, out int template)
    {
        handle = -1;
        template = -1;
        var columns = new List<(int, int, string)>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].Trim();
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (name == "handle")
            {
                handle = i;
            }
            else if (name == "template")
            {
                template = i;
            }
            else if (colon > 0 && int.TryParse(name.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index > 0 && colon < name.Length - 1)
            {
                columns.Add((i, index, name[(colon + 1)..]));
            }
            else
            {
                throw new HandleException(ResponseCode.ProtocolError, $"line 1, column {i + 1} ('{name}'): columns are handle, template, and index:type (2000:productName)");
            }
        }

        return handle >= 0 ? columns : throw new HandleException(ResponseCode.ProtocolError, "line 1: the header has no 'handle' column");
    }

    private static async IAsyncEnumerable<ImportItem> ReadJsonLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        long line = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            yield return text.Length > MaxLineBytes ? new ImportItem(line, null, null, $"the line is longer than {MaxLineBytes} characters") : ReadRecord(line, text);
        }
    }

    private static ImportItem ReadRecord(long line, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
            var values = HandleJsonReader.ReadValues(document.RootElement, out var handle);
            if (document.RootElement.TryGetProperty("template", out var template) && template.ValueKind == JsonValueKind.String)
            {
                values.RemoveAll(v => v.Index == TemplateReference.Index);
                values.Add(new HandleValue(TemplateReference.Index, TemplateReference.ValueType, Encoding.UTF8.GetBytes(template.GetString()!)));
            }

            return new ImportItem(line, handle, values, handle is null ? "the record has no 'handle'" : null);
        }
        catch (JsonException e)
        {
            return new ImportItem(line, null, null, "not a JSON record: " + e.Message);
        }
        catch (HandleException e)
        {
            return new ImportItem(line, null, null, e.Message);
        }
    }
}
