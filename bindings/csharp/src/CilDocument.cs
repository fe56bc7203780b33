// A CIL document held by libvolact (volact_cil_document), released deterministically.
// No logic: parsing, validation, export, CID import and merge all run in the Rust core; the
// JSON texts are the ones `volact cil ... --json` / `--report` print.
using System;
using Microsoft.Win32.SafeHandles;

namespace Volact
{
    /// <summary>Owns one <c>volact_cil_document*</c>; frees it exactly once.</summary>
    internal sealed class CilDocumentHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        internal CilDocumentHandle(IntPtr doc)
            : base(true)
        {
            SetHandle(doc);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.volact_cil_free(handle);
            return true;
        }
    }

    /// <summary>Counts over a CIL document (<c>volact_cil_summary</c>).</summary>
    public sealed class CilSummary
    {
        internal CilSummary(NativeMethods.volact_cil_summary s)
        {
            Computers = checked((long)s.computers.ToUInt64());
            Products = checked((long)s.products.ToUInt64());
            WithInstallationId = checked((long)s.with_installation_id.ToUInt64());
            PendingCids = checked((long)s.pending_cids.ToUInt64());
            AppliedCids = checked((long)s.applied_cids.ToUInt64());
        }

        public long Computers { get; }
        /// <summary>Products over all computers.</summary>
        public long Products { get; }
        /// <summary>Products with an <c>InstallationId</c>.</summary>
        public long WithInstallationId { get; }
        /// <summary>Products with a <c>PendingConfirmationId</c> (obtained, not yet deposited).</summary>
        public long PendingCids { get; }
        /// <summary>Products with a <c>ConfirmationId</c> (deposited).</summary>
        public long AppliedCids { get; }

        public override string ToString()
        {
            return string.Format(
                "{0} computers, {1} products ({2} with an IID, {3} pending CIDs, {4} applied CIDs)",
                Computers, Products, WithInstallationId, PendingCids, AppliedCids);
        }
    }

    /// <summary>The findings of <see cref="CilDocument.Validate"/>.</summary>
    public sealed class CilValidation
    {
        internal CilValidation(string json, long errors, long warnings)
        {
            Json = json;
            ErrorCount = errors;
            WarningCount = warnings;
        }

        /// <summary>
        /// <c>{"valid", "errors", "findings": [{"severity", "computer", "computer_id",
        /// "product", "message"}]}</c>, as <c>volact cil validate --json</c> prints it.
        /// </summary>
        public string Json { get; }
        /// <summary>Findings of severity error.</summary>
        public long ErrorCount { get; }
        /// <summary>Findings of severity warning.</summary>
        public long WarningCount { get; }
        /// <summary>No errors (warnings allowed).</summary>
        public bool IsValid { get { return ErrorCount == 0; } }
    }

    /// <summary>
    /// A CIL document (VAMT's Computer Information List), kept losslessly by libvolact:
    /// comments, CDATA, processing instructions, unknown elements and attributes and the
    /// encoding (UTF-8 or UTF-16) are written back unchanged. Dispose it to release the native
    /// document. Reading members may run on several threads at once; <see cref="AddCids"/>,
    /// <see cref="Merge"/> and <see cref="Dispose"/> need it to themselves.
    /// </summary>
    /// <example><code>
    /// using (CilDocument full = CilDocument.Load("lab-full.cil"))
    /// using (CilDocument proxy = full.Export(ExportMode.ProxyOnly, false, false))
    /// {
    ///     proxy.Save("to-connected-side.cil");       // no computer names, MACs or networks
    ///     // ... CIDs obtained on the connected side come back in a returned file ...
    ///     using (CilDocument returned = CilDocument.Load("returned.cil"))
    ///     {
    ///         string report = full.Merge(returned, false);  // {"decisions":[...]}
    ///         full.Save("lab-full.cil");                    // atomic
    ///     }
    /// }
    /// </code></example>
    public sealed class CilDocument : IDisposable
    {
        // JSON first guesses; a BUFFER_TOO_SMALL answer gives the exact size.
        private const int JsonCapacity = 4096;

        private readonly CilDocumentHandle handle;

        private CilDocument(IntPtr raw)
        {
            handle = new CilDocumentHandle(raw);
        }

        /// <summary>Parses a CIL from bytes (UTF-8 with or without BOM, UTF-16 LE/BE).</summary>
        /// <exception cref="InvalidCilException">Not a readable CIL; the message gives line and column.</exception>
        public static CilDocument Parse(byte[] bytes)
        {
            UIntPtr len;
            byte[] data = Interop.Blob(bytes, "bytes", out len);
            IntPtr raw;
            Interop.Check(NativeMethods.volact_cil_parse(data, len, out raw));
            return new CilDocument(raw);
        }

        /// <summary>Reads and parses a CIL file (at most 2 GiB).</summary>
        /// <exception cref="VolactIOException">The file cannot be read.</exception>
        /// <exception cref="InvalidCilException">Not a readable CIL (the message names the file).</exception>
        public static CilDocument Load(string path)
        {
            UIntPtr len;
            byte[] p = Interop.Utf8(path, "path", out len);
            IntPtr raw;
            Interop.Check(NativeMethods.volact_cil_load(p, len, out raw));
            return new CilDocument(raw);
        }

        /// <summary>
        /// Saves the document in the encoding it was read in, atomically (a temporary file
        /// beside the target, flushed, then renamed over it).
        /// </summary>
        /// <exception cref="VolactIOException">The file cannot be written.</exception>
        public void Save(string path)
        {
            UIntPtr len;
            byte[] p = Interop.Utf8(path, "path", out len);
            Interop.Check(NativeMethods.volact_cil_save(Live, p, len));
        }

        /// <summary>The document's bytes, exactly as <see cref="Save"/> writes them.</summary>
        public byte[] ToBytes()
        {
            CilDocumentHandle h = Live;
            UIntPtr n;
            VolactResult r = NativeMethods.volact_cil_to_bytes(h, null, UIntPtr.Zero, out n);
            if (r == VolactResult.Ok)
            {
                return new byte[0];
            }
            if (r != VolactResult.BufferTooSmall)
            {
                Interop.Check(r);
            }
            // Bytes, not text: exactly n bytes, no NUL.
            var bytes = new byte[checked((int)n.ToUInt64())];
            Interop.Check(NativeMethods.volact_cil_to_bytes(h, bytes, n, out n));
            return bytes;
        }

        /// <summary>Counts of computers, products, IIDs and CIDs.</summary>
        public CilSummary Summary
        {
            get
            {
                NativeMethods.volact_cil_summary s;
                Interop.Check(NativeMethods.volact_cil_summarize(Live, out s));
                return new CilSummary(s);
            }
        }

        /// <summary>
        /// The document as <c>volact cil show --json</c> prints it: encoding, version, summary
        /// and every computer with its products (never a full product key).
        /// </summary>
        public string ToJson()
        {
            CilDocumentHandle h = Live;
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_cil_document_json(h, b, l, out n), JsonCapacity);
        }

        /// <summary>
        /// Validates the document: IID/CID check digits, duplicate computer Ids, CIDs without
        /// an IID, partial keys, license status values. Findings are data, not exceptions.
        /// </summary>
        public CilValidation Validate()
        {
            CilDocumentHandle h = Live;
            string json = Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_cil_validate_json(h, b, l, out n), JsonCapacity);
            UIntPtr errors, warnings;
            Interop.Check(NativeMethods.volact_cil_validate_counts(h, out errors, out warnings));
            return new CilValidation(json, checked((long)errors.ToUInt64()), checked((long)warnings.ToUInt64()));
        }

        /// <summary>
        /// A new document holding the export, an allow-list: content volact does not
        /// understand is dropped. Save it, or read it with <see cref="ToBytes"/>.
        /// </summary>
        /// <exception cref="VolactException"><see cref="VolactResult.InvalidArgument"/> for an
        /// unknown mode, or <see cref="ExportMode.ProxyOnly"/> with <paramref name="includeSensitive"/>.</exception>
        public CilDocument Export(ExportMode mode, bool includeSensitive, bool includeProductKeys)
        {
            IntPtr raw;
            Interop.Check(NativeMethods.volact_cil_export(Live, (uint)mode, includeSensitive, includeProductKeys, out raw));
            return new CilDocument(raw);
        }

        /// <summary>
        /// Imports Confirmation IDs from CSV text (<c>installation_id,confirmation_id</c> per
        /// line; a header line is skipped) into this document, and returns the report JSON
        /// (<c>{"rows": [...]}</c>, outcomes <c>applied</c>, <c>already_present</c>,
        /// <c>conflict</c>, <c>unknown_iid</c>, <c>invalid_iid</c>, <c>invalid_cid</c>,
        /// <c>malformed</c>). Rows refused are in the report, not exceptions.
        /// </summary>
        public string AddCids(string csv, bool strict)
        {
            CilDocumentHandle h = Live;
            UIntPtr len;
            byte[] text = Interop.Utf8(csv, "csv", out len);
            // The call changes the document once; its report is read afterwards from the
            // handle (volact_cil_last_report), so a retry for buffer size never re-applies it.
            UIntPtr n;
            Interop.Check(NativeMethods.volact_cil_add_cids(h, text, len, strict, null, UIntPtr.Zero, out n));
            return LastReport(h);
        }

        /// <summary>
        /// Merges the CIDs of a returned document into this (full) one, as
        /// <c>volact cil merge</c>: a CID is applied only to the product with the same SKU and
        /// IID it was issued for, and a different CID already present is replaced only with
        /// <paramref name="force"/>. Returns the report JSON (<c>{"decisions": [...]}</c>,
        /// outcomes <c>applied</c>, <c>already_present</c>, <c>replaced</c>, <c>conflict</c>,
        /// <c>iid_mismatch</c>, <c>no_iid</c>, <c>no_such_computer</c>, <c>ambiguous</c>,
        /// <c>no_such_product</c>, <c>invalid_cid</c>).
        /// </summary>
        public string Merge(CilDocument returned, bool force)
        {
            if (returned == null)
            {
                throw new ArgumentNullException("returned");
            }
            CilDocumentHandle h = Live;
            UIntPtr n;
            Interop.Check(NativeMethods.volact_cil_merge(h, returned.Live, force, null, UIntPtr.Zero, out n));
            return LastReport(h);
        }

        /// <summary>The report of the last <see cref="AddCids"/> or <see cref="Merge"/> on this document, or null.</summary>
        public string LastReport()
        {
            CilDocumentHandle h = Live;
            string text;
            VolactResult r = Interop.ReadText((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_cil_last_report(h, b, l, out n), JsonCapacity, out text);
            if (r == VolactResult.NotFound)
            {
                return null;
            }
            Interop.Check(r);
            return text;
        }

        private static string LastReport(CilDocumentHandle h)
        {
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_cil_last_report(h, b, l, out n), JsonCapacity);
        }

        /// <summary>Releases the native document. Safe to call more than once.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        // For Workflow, which passes documents to libvolact and wraps the ones it creates.
        internal CilDocumentHandle Handle
        {
            get { return Live; }
        }

        internal static CilDocument FromRaw(IntPtr raw)
        {
            return new CilDocument(raw);
        }

        private CilDocumentHandle Live
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("CilDocument");
                }
                return handle;
            }
        }
    }
}
