using System.Buffers;
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
    /// <summary>The longest JSON Lines record read; longer lines are refused without being held in memory.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    public static IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, ImportFormat format, CancellationToken cancellationToken) =>
        format == ImportFormat.Csv ? ReadCsvAsync(stream, cancellationToken) : ReadJsonLinesAsync(stream, cancellationToken);

    private static async IAsyncEnumerable<ImportItem> ReadCsvAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = await OpenCsvAsync(stream, cancellationToken);
        var columns = Columns(reader.Header.ColNames, out var handleColumn, out var templateColumn);
        while (true)
        {
            string? broken = null;
            try
            {
                if (!await reader.MoveNextAsync(cancellationToken))
                {
                    break;
                }
            }
            catch (Exception e) when (e is NotSupportedException or InvalidDataException or ArgumentException)
            {
                broken = e.Message;
            }

            if (broken is not null)
            {
                // The parser cannot go on (a row beyond its buffer, say): the rows read so far stand, the rest is reported.
                yield return new ImportItem(0, null, null, "the file cannot be read past this point: " + broken);
                yield break;
            }

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

    private static async Task<SepReader> OpenCsvAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true, Sep = new Sep(',') }).FromAsync(stream, cancellationToken);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException or ArgumentException)
        {
            throw new HandleException(ResponseCode.ProtocolError, "line 1: the header cannot be read: " + e.Message);
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
        var reader = System.IO.Pipelines.PipeReader.Create(stream, new System.IO.Pipelines.StreamPipeReaderOptions(bufferSize: 64 * 1024));
        long line = 0;
        var skipping = false;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (TryTakeLine(ref buffer, out var bytes))
            {
                line++;
                if (skipping)
                {
                    // The rest of a line already reported as too long.
                    skipping = false;
                    continue;
                }

                var text = Utf8.GetString(bytes).TrimEnd('\r');
                if (!string.IsNullOrWhiteSpace(text))
                {
                    yield return ReadRecord(line, text);
                }
            }

            if (!skipping && buffer.Length > MaxLineBytes)
            {
                // A line longer than any record: reported once, and its bytes dropped as they come, never held.
                yield return new ImportItem(line + 1, null, null, $"the line is longer than {MaxLineBytes} bytes");
                skipping = true;
            }

            if (skipping)
            {
                buffer = buffer.Slice(buffer.End);
            }

            if (read.IsCompleted)
            {
                if (!skipping && buffer.Length > 0 && Utf8.GetString(buffer.ToArray()) is { } last && !string.IsNullOrWhiteSpace(last))
                {
                    yield return ReadRecord(line + 1, last.TrimEnd('\r'));
                }

                reader.AdvanceTo(buffer.End);
                break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }

        await reader.CompleteAsync();
    }

    private static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: false);

    private static bool TryTakeLine(ref System.Buffers.ReadOnlySequence<byte> buffer, out byte[] line)
    {
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            line = [];
            return false;
        }

        line = buffer.Slice(0, end.Value).ToArray();
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
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
        catch (InvalidOperationException)
        {
            return new ImportItem(line, null, null, "the record holds text that is not valid Unicode (an unpaired surrogate)");
        }
    }
}
