// The glue every wrapper shares: text in and out, index arrays out, the last error.
// No domain logic: every answer comes from libvolact.
using System;
using System.Text;

namespace Volact
{
    internal static class Interop
    {
        // A text-out call: (buf, len, out_n) as in volact.h.
        internal delegate VolactResult TextOut(byte[] buf, UIntPtr len, out UIntPtr outN);

        // A bytes-out call: (buf, len, out_n) as volact_cil_to_bytes (no NUL).
        internal delegate VolactResult BytesOut(byte[] buf, UIntPtr len, out UIntPtr outN);

        // An index-array-out call: (indices, cap, out_n) as in volact.h.
        internal delegate VolactResult IndicesOut(UIntPtr[] indices, UIntPtr cap, out UIntPtr outN);

        // First guesses; a BUFFER_TOO_SMALL answer says how much is needed and the call is
        // repeated. The tests shrink them to 1 to drive the retry path.
        internal const int TextCapacity = 128;
        internal const int IndexCapacity = 16;

        // Large enough for any message libvolact writes (they are one line); a short buffer
        // would only cost a retry, since the sizing protocol never touches the last error.
        private const int ErrorCapacity = 4096;

        /// <summary>
        /// UTF-8 bytes of <paramref name="text"/>, in an array of at least one byte, so the
        /// pointer passed is never NULL whatever the marshaller does with empty arrays
        /// (libvolact also reads (NULL, 0) as empty). Lone surrogates become U+FFFD.
        /// </summary>
        internal static byte[] Utf8(string text, string paramName, out UIntPtr len)
        {
            if (text == null)
            {
                throw new ArgumentNullException(paramName);
            }
            int n = Encoding.UTF8.GetByteCount(text);
            var bytes = new byte[Math.Max(n, 1)];
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            len = new UIntPtr((uint)n);
            return bytes;
        }

        /// <summary>Bytes for a byte-blob argument, non-empty for the same reason as <see cref="Utf8"/>.</summary>
        internal static byte[] Blob(byte[] blob, string paramName, out UIntPtr len)
        {
            if (blob == null)
            {
                throw new ArgumentNullException(paramName);
            }
            len = new UIntPtr((uint)blob.Length);
            return blob.Length > 0 ? blob : new byte[1];
        }

        /// <summary>
        /// Runs a text-out call, growing the buffer on BUFFER_TOO_SMALL. Returns the final
        /// code; <paramref name="text"/> is set only on OK. The buffers are zeroed after use
        /// (one of these calls reveals a key).
        /// </summary>
        internal static VolactResult ReadText(TextOut call, int capacity, out string text)
        {
            text = null;
            var buf = new byte[Math.Max(capacity, 1)];
            for (int attempt = 0; ; attempt++)
            {
                UIntPtr n;
                VolactResult r = call(buf, new UIntPtr((uint)buf.Length), out n);
                if (r == VolactResult.BufferTooSmall && attempt < 2)
                {
                    // Nothing was written; *out_n holds the length without the NUL.
                    buf = new byte[checked((int)n.ToUInt64() + 1)];
                    continue;
                }
                try
                {
                    if (r == VolactResult.Ok)
                    {
                        text = Encoding.UTF8.GetString(buf, 0, checked((int)n.ToUInt64()));
                    }
                    return r;
                }
                finally
                {
                    Array.Clear(buf, 0, buf.Length);
                }
            }
        }

        /// <summary>As <see cref="ReadText"/>, throwing the matching exception on failure.</summary>
        internal static string ReadTextOrThrow(TextOut call, int capacity = TextCapacity)
        {
            string text;
            Check(ReadText(call, capacity, out text));
            return text;
        }

        /// <summary>
        /// Runs a pure bytes-out call: asks the size with (NULL, 0), then reads exactly that
        /// many bytes (no NUL). Throws the matching exception on failure.
        /// </summary>
        internal static byte[] ReadBytesOrThrow(BytesOut call)
        {
            UIntPtr n;
            VolactResult r = call(null, UIntPtr.Zero, out n);
            if (r == VolactResult.Ok)
            {
                return new byte[0];
            }
            if (r != VolactResult.BufferTooSmall)
            {
                Check(r);
            }
            var bytes = new byte[checked((int)n.ToUInt64())];
            Check(call(bytes, n, out n));
            return bytes;
        }

        /// <summary>Runs an index-array-out call, growing the array on BUFFER_TOO_SMALL.</summary>
        /// <summary>Reads a text that may not exist: null on VOLACT_RESULT_NOT_FOUND, throws on other failures.</summary>
        internal static string ReadOptionalText(TextOut call)
        {
            string text;
            VolactResult r = ReadText(call, TextCapacity, out text);
            if (r == VolactResult.NotFound)
            {
                return null;
            }
            Check(r);
            return text;
        }

        internal static int[] ReadIndices(IndicesOut call, int capacity = IndexCapacity)
        {
            var indices = new UIntPtr[Math.Max(capacity, 1)];
            for (int attempt = 0; ; attempt++)
            {
                UIntPtr n;
                VolactResult r = call(indices, new UIntPtr((uint)indices.Length), out n);
                if (r == VolactResult.BufferTooSmall && attempt < 2)
                {
                    indices = new UIntPtr[checked((int)n.ToUInt64())];
                    continue;
                }
                Check(r);
                var result = new int[checked((int)n.ToUInt64())];
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = checked((int)indices[i].ToUInt64());
                }
                return result;
            }
        }

        /// <summary>Throws the exception for a failed call; does nothing on OK.</summary>
        internal static void Check(VolactResult r)
        {
            if (r != VolactResult.Ok)
            {
                throw VolactException.Create(r, LastErrorMessage(r));
            }
        }

        /// <summary>
        /// The detailed message of the last failure on this thread (P/Invoke runs on the
        /// calling thread, so it belongs to the call just made), or the code's description
        /// when libvolact has none.
        /// </summary>
        internal static string LastErrorMessage(VolactResult code)
        {
            var buf = new byte[ErrorCapacity];
            UIntPtr n;
            VolactResult r = NativeMethods.volact_last_error_message(buf, new UIntPtr((uint)buf.Length), out n);
            if (r == VolactResult.Ok && n != UIntPtr.Zero)
            {
                return Encoding.UTF8.GetString(buf, 0, checked((int)n.ToUInt64()));
            }
            return Library.ResultMessage(code);
        }

        /// <summary>A NUL-terminated UTF-8 string owned by libvolact (static), or null for NULL.</summary>
        internal static string FromStaticUtf8(IntPtr p)
        {
            if (p == IntPtr.Zero)
            {
                return null;
            }
            int n = 0;
            while (System.Runtime.InteropServices.Marshal.ReadByte(p, n) != 0)
            {
                n++;
            }
            var bytes = new byte[n];
            System.Runtime.InteropServices.Marshal.Copy(p, bytes, 0, n);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>
        /// libvolact reports positions as 0-based character (Unicode scalar) indices; .NET
        /// strings index UTF-16 code units. Null for SIZE_MAX ("points nowhere").
        /// </summary>
        internal static int? Utf16Index(string text, UIntPtr position)
        {
            if (position == NativeMethods.SIZE_MAX)
            {
                return null;
            }
            ulong scalar = position.ToUInt64();
            int i = 0;
            for (ulong seen = 0; seen < scalar && i < text.Length; seen++)
            {
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
            }
            return i;
        }
    }
}
