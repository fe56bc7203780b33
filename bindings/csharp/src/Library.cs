// The library itself: its version and the descriptions of result codes.
using System;

namespace Volact
{
    public static class Library
    {
        /// <summary>The version of the loaded libvolact, e.g. <c>"0.1.0"</c>.</summary>
        public static string Version
        {
            get { return Interop.FromStaticUtf8(NativeMethods.volact_version()); }
        }

        /// <summary>The version of volact.h these bindings were written against.</summary>
        public static Version HeaderVersion
        {
            get
            {
                return new Version(
                    (int)NativeMethods.VOLACT_VERSION_MAJOR,
                    (int)NativeMethods.VOLACT_VERSION_MINOR,
                    (int)NativeMethods.VOLACT_VERSION_PATCH);
            }
        }

        /// <summary>The static description of a result code (<c>volact_result_message</c>).</summary>
        public static string ResultMessage(VolactResult code)
        {
            string text;
            VolactResult r = Interop.ReadText(
                (byte[] b, UIntPtr l, out UIntPtr n) => NativeMethods.volact_result_message((uint)code, b, l, out n),
                Interop.TextCapacity,
                out text);
            return r == VolactResult.Ok ? text : code.ToString();
        }
    }
}
