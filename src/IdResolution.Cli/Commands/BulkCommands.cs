using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using Spectre.Console;

namespace IdResolution.Cli.Commands;

/// <summary><c>idres import FILE</c> (with a live progress bar, rate and ETA) and <c>idres export --prefix P</c>.</summary>
public static class BulkCommands
{
    public static Command Import(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "A CSV (header handle,template,index:type...) or JSON Lines file" };
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from the file's extension)" };
        var allOrNothing = new Option<bool>("--all-or-nothing") { Description = "Store nothing if any row fails" };
        var command = new Command("import", "Registers the identifiers of a file in bulk; sending the same file again completes an interrupted import.") { file, format, allOrNothing };
        command.SetAction(async (result, cancellation) =>
        {
            var input = result.GetValue(file)!;
            if (!input.Exists)
            {
                throw new CliException($"{input.FullName} does not exist");
            }

            var kind = result.GetValue(format) ?? (input.Extension.ToLowerInvariant() is ".jsonl" or ".ndjson" ? "jsonl" : "csv");
            var (client, printer) = context.Open(result);
            using (client)
            {
                var path = $"/api/import?format={Uri.EscapeDataString(kind)}{(result.GetValue(allOrNothing) ? "&mode=all-or-nothing" : "")}";
                var answer = printer.Json
                    ? await UploadAsync(client, path, input, null, cancellation)
                    : await printer.Console.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                        .StartAsync(async progress =>
                        {
                            var task = progress.AddTask($"importing {input.Name}", maxValue: input.Length);
                            return await UploadAsync(client, path, input, task, cancellation);
                        });
                printer.Print(answer, Summary);
                return answer.TryGetProperty("failed", out var failed) && failed.GetInt64() > 0 ? 1 : 0;
            }
        });
        return command;
    }

    private static async Task<JsonElement> UploadAsync(NodeClient client, string path, FileInfo input, ProgressTask? task, CancellationToken cancellation)
    {
        await using var stream = new ProgressStream(input.OpenRead(), read => task?.Increment(read));
        using var content = new StreamContent(stream, 256 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = input.Length;
        return await client.SendAsync(HttpMethod.Post, path, content, cancellation);
    }

    private static void Summary(IAnsiConsole console, JsonElement answer)
    {
        console.WriteLine($"read {Printer.Text(answer, "read")}, imported {Printer.Text(answer, "imported")}, already registered {Printer.Text(answer, "existing")}, " +
            $"failed {Printer.Text(answer, "failed")} in {Printer.Text(answer, "seconds")} s ({Printer.Text(answer, "rowsPerSecond")} rows/s)" +
            (answer.TryGetProperty("rolledBack", out var rolledBack) && rolledBack.GetBoolean() ? "; nothing stored (all or nothing)" : ""));
        var errors = answer.GetProperty("errors");
        if (errors.GetArrayLength() > 0)
        {
            Printer.Table(console, errors.EnumerateArray(),
                ("line", e => Printer.Text(e, "line")), ("handle", e => Printer.Text(e, "handle")), ("code", e => Printer.Text(e, "responseCode")), ("reason", e => Printer.Text(e, "message")));
        }
    }

    public static Command Export(CliContext context)
    {
        var prefix = new Option<string>("--prefix") { Description = "The prefix (or oid:/gs1: namespace) to export", Required = true };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "The JSON Lines file to write (default: standard output)" };
        var command = new Command("export", "Writes every identifier under a prefix as JSON Lines (what import reads back).") { prefix, output };
        command.SetAction(async (result, cancellation) =>
        {
            var (client, _) = context.Open(result);
            using (client)
            {
                using var response = await client.SendRawAsync(HttpMethod.Get, $"/api/export?prefix={Uri.EscapeDataString(result.GetValue(prefix)!)}", null, cancellation, streamed: true);
                await using var body = await response.Content.ReadAsStreamAsync(cancellation);
                if (result.GetValue(output) is { } file)
                {
                    await using var target = file.Create();
                    await body.CopyToAsync(target, cancellation);
                }
                else
                {
                    using var reader = new StreamReader(body);
                    while (await reader.ReadLineAsync(cancellation) is { } line)
                    {
                        await context.Output.WriteLineAsync(line);
                    }
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>A read-only stream that reports how much has been read (the upload's progress).</summary>
    private sealed class ProgressStream(Stream inner, Action<long> read) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Counted(int n)
        {
            read(n);
            return n;
        }
    }
}
