using System.Buffers;
using System.Text.Json;

namespace Berth.ServiceDefaults;

/// <summary>Writes JSON straight to UTF-8 bytes, for the hand-shaped OpenAI objects.</summary>
public static class JsonBytes
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
