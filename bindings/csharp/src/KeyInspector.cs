// Inspecting any text as a product key, valid or not.
using System;

namespace Volact
{
    /// <summary>What <see cref="KeyInspector.Inspect"/> finds in a text (<c>volact_key_info</c>).</summary>
    public sealed class KeyInfo
    {
        internal KeyInfo(NativeMethods.volact_key_info info, int? position, string message, string masked)
        {
            Error = info.error;
            ErrorPosition = position;
            Algorithm = info.algorithm;
            Fields = info.has_fields != 0 ? new Pkey2009Fields(info.fields) : (Pkey2009Fields?)null;
            ErrorMessage = message;
            Masked = masked;
        }

        public bool Valid { get { return Error == VolactResult.Ok; } }

        /// <summary><see cref="VolactResult.Ok"/>, or the <c>Key*</c> reason.</summary>
        public VolactResult Error { get; }

        /// <summary>0-based index into the inspected string the error points at; null when it points nowhere.</summary>
        public int? ErrorPosition { get; }

        /// <summary>The algorithm when the text passes the syntax rules, else <see cref="KeyAlgorithm.None"/>.</summary>
        public KeyAlgorithm Algorithm { get; }

        /// <summary>The pkey2009 fields, also for a checksum mismatch; null otherwise.</summary>
        public Pkey2009Fields? Fields { get; }

        /// <summary>libvolact's detailed message for an invalid text (never the key); null when valid.</summary>
        public string ErrorMessage { get; }

        /// <summary>The masked form of the text, key or not.</summary>
        public string Masked { get; }

        public override string ToString()
        {
            return Valid ? Masked + ": valid " + Algorithm : Masked + ": " + ErrorMessage;
        }
    }

    public static class KeyInspector
    {
        /// <summary>Inspects a text, valid or not. Throws only when the inspection cannot run.</summary>
        public static KeyInfo Inspect(string text)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            try
            {
                NativeMethods.volact_key_info info;
                Interop.Check(NativeMethods.volact_key_inspect(bytes, len, out info));
                // The message must be read before the next libvolact call on this thread.
                string message = info.error == VolactResult.Ok ? null : Interop.LastErrorMessage(info.error);
                int? position = Interop.Utf16Index(text, info.error_position);
                return new KeyInfo(info, position, message, MaskText(bytes, len));
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>The masked form of any text, key or not (what <c>volact key inspect</c> shows).</summary>
        public static string MaskText(string text)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            try
            {
                return MaskText(bytes, len);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        private static string MaskText(byte[] bytes, UIntPtr len)
        {
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_key_masked_text(bytes, len, b, l, out n));
        }
    }
}
