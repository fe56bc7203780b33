// Unattend.xml answer files (volact_unattend_*): the product key places shown, a key set, every
// key scrubbed. No logic: the places, the report, the byte-for-byte editing and the encodings
// are the Rust core's (volact_core::unattend), as `volact unattend` uses them.
using System;
using System.Runtime.InteropServices;

namespace Volact
{
    /// <summary>
    /// The product key in a Windows Setup answer file. Setup reads it in the <c>windowsPE</c>
    /// pass (<c>Microsoft-Windows-Setup</c>, <c>UserData/ProductKey/Key</c>) and the
    /// <c>specialize</c> pass (<c>Microsoft-Windows-Shell-Setup</c>, <c>ProductKey</c>), and
    /// replaces it with <c>SENSITIVE*DATA*DELETED</c> only at the end of setup. The file is
    /// edited as text: outside the key spans the bytes returned are the file's, in its encoding
    /// (UTF-8, or UTF-16 with a BOM). DTDs are refused.
    /// </summary>
    /// <example><code>
    /// byte[] file = File.ReadAllBytes("Unattend.xml");
    /// Console.WriteLine(Unattend.Show(file));                       // keys masked
    /// File.WriteAllBytes("Unattend.xml", Unattend.SetKey(file, mak)); // the MAK in clear: protect it
    /// // after setup:
    /// File.WriteAllBytes("Unattend.xml", Unattend.Scrub(File.ReadAllBytes("Unattend.xml")));
    /// </code></example>
    public static class Unattend
    {
        private const int JsonCapacity = 4096;

        /// <summary>
        /// The report JSON: <c>{"places": [{"kind", "path", "line", "value": {"state", "masked",
        /// "kind", "editions"}}], "warnings": [...]}</c>. A place's <c>kind</c> is
        /// <c>setup_user_data</c>, <c>shell_setup</c>, <c>other_element</c> or <c>other_text</c>
        /// (key-shaped text anywhere else: a <c>slmgr /ipk</c> command, a comment);
        /// <c>state</c> is <c>empty</c>, <c>scrubbed</c>, <c>key</c> or <c>not_a_key</c>; a key's
        /// <c>kind</c> is <c>gvlk</c>, what <paramref name="catalog"/> knows (<c>mak</c>,
        /// <c>csvlk</c>, ...) or <c>unknown</c>. Keys are masked.
        /// </summary>
        /// <exception cref="UnattendException">A file volact cannot read (codes 13xx).</exception>
        public static string Show(byte[] file, UserCatalog catalog = null)
        {
            UIntPtr fileLen;
            byte[] f = Interop.Blob(file, "file", out fileLen);
            SafeHandle c = catalog == null ? null : catalog.Handle;
            bool added = false;
            try
            {
                if (c != null)
                {
                    c.DangerousAddRef(ref added);
                }
                IntPtr raw = c == null ? IntPtr.Zero : c.DangerousGetHandle();
                return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                    NativeMethods.volact_unattend_show(f, fileLen, raw, b, l, out n), JsonCapacity);
            }
            finally
            {
                if (added)
                {
                    c.DangerousRelease();
                }
            }
        }

        /// <summary>
        /// The file with <paramref name="key"/> in every place setup reads (both, when both
        /// exist; an empty <c>&lt;Key/&gt;</c> is filled), every other byte unchanged. Other
        /// key-shaped text (a command line, a comment) is left alone: <see cref="Scrub"/> the
        /// file after use. The bytes hold the key in clear, as setup reads it.
        /// </summary>
        /// <exception cref="InvalidProductKeyException">Not a valid key (the message never holds it).</exception>
        /// <exception cref="UnattendException">A file volact cannot read, no place to put the key
        /// (<see cref="VolactResult.UnattendNoKeyPlace"/>), a place holding markup
        /// (<see cref="VolactResult.UnattendComplexValue"/>).</exception>
        public static byte[] SetKey(byte[] file, string key)
        {
            UIntPtr fileLen, keyLen;
            byte[] f = Interop.Blob(file, "file", out fileLen);
            byte[] k = Interop.Utf8(key, "key", out keyLen);
            try
            {
                return Interop.ReadBytesOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                    NativeMethods.volact_unattend_set_key(f, fileLen, k, keyLen, b, l, out n));
            }
            finally
            {
                Array.Clear(k, 0, k.Length);
            }
        }

        /// <summary>
        /// The file with every key (setup's two places, other <c>ProductKey</c> elements,
        /// key-shaped text anywhere) replaced by <c>SENSITIVE*DATA*DELETED</c>, as setup does at
        /// its end; every other byte unchanged. Empty places stay empty; a scrubbed file scrubs
        /// to itself.
        /// </summary>
        /// <exception cref="UnattendException">A file volact cannot read, a key place holding
        /// markup (<see cref="VolactResult.UnattendComplexValue"/>).</exception>
        public static byte[] Scrub(byte[] file)
        {
            UIntPtr fileLen;
            byte[] f = Interop.Blob(file, "file", out fileLen);
            return Interop.ReadBytesOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_unattend_scrub(f, fileLen, b, l, out n));
        }
    }
}
