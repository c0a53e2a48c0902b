using System.Text.Json;
using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Core.Values;
using IdResolution.Registry.Traceability;
using IdResolution.Server.Http;

namespace IdResolution.Server.Traceability;

/// <summary>
/// A resolve answer with <c>lifecycle=true</c>: the record plus a <c>lifecycle</c> member (the object's current
/// disposition, location and custodian, or null when no event names it). Only asked-for resolves pay for it.
/// </summary>
public static class LifecycleAnswer
{
    public static async Task WriteAsync(HttpContext context, string handle, IReadOnlyList<HandleValue> values, IReadOnlyList<string> aliases)
    {
        var state = await context.RequestServices.GetRequiredService<EventQueries>().StateAsync(HandleName.Parse(handle).Key, context.RequestAborted);
        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer => HandleJsonWriter.WriteRecord(writer, handle, values, aliases, w =>
        {
            w.WritePropertyName("lifecycle");
            if (state is null)
            {
                w.WriteNullValue();
                return;
            }

            JsonSerializer.Serialize(w, TraceEndpoints.StateAnswer(state.Name, state), JsonSerializerOptions.Web);
        }));
    }
}
