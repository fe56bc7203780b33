// The user catalog held by libvolact (volact_user_catalog), released deterministically.
// No logic: pkeyconfig parsing, merging and classification run in the Rust core; the JSON
// texts are the core's ImportReport and Classification, as the CLI prints them.
using System;
using Microsoft.Win32.SafeHandles;

namespace Volact
{
    /// <summary>Owns one <c>volact_user_catalog*</c>; frees it exactly once.</summary>
    internal sealed class UserCatalogHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        internal UserCatalogHandle(IntPtr catalog)
            : base(true)
        {
            SetHandle(catalog);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.volact_user_catalog_free(handle);
            return true;
        }
    }

    /// <summary>
    /// The administrator's catalog of key configurations, learnt from Microsoft pkeyconfig
    /// files (<c>%SystemRoot%\System32\spp\tokens\pkeyconfig\*.xrm-ms</c>): MAK, retail, OEM
    /// and CSVLK keys, which Microsoft does not publish. Dispose it to release the native
    /// catalog. <see cref="Classify"/> and <see cref="Save"/> may run on several threads at
    /// once; <see cref="ImportPkeyconfig"/> and <see cref="Dispose"/> need it to themselves.
    /// </summary>
    /// <example><code>
    /// using (UserCatalog catalog = new UserCatalog())
    /// {
    ///     string report = catalog.ImportPkeyconfig(File.ReadAllBytes(path), "pkeyconfig.xrm-ms");
    ///     string json = catalog.Classify(key);   // {"source":"user_catalog",...,"channel":"Volume:MAK",...}
    ///     catalog.Save("catalog.json");          // atomic
    /// }
    /// </code></example>
    public sealed class UserCatalog : IDisposable
    {
        private const int JsonCapacity = 1024;

        private readonly UserCatalogHandle handle;

        private UserCatalog(IntPtr raw)
        {
            handle = new UserCatalogHandle(raw);
        }

        /// <summary>An empty catalog: classification then knows the published GVLKs only.</summary>
        public UserCatalog()
            : this(New())
        {
        }

        private static IntPtr New()
        {
            IntPtr raw;
            Interop.Check(NativeMethods.volact_user_catalog_new(out raw));
            return raw;
        }

        /// <summary>Reads a catalog file (what <c>volact catalog import-pkeyconfig</c> and <see cref="Save"/> write).</summary>
        /// <exception cref="VolactException"><see cref="VolactResult.NotFound"/> when there is no file.</exception>
        /// <exception cref="InvalidCatalogFileException">Not a volact user catalog, or another version.</exception>
        /// <exception cref="VolactIOException">The file cannot be read.</exception>
        public static UserCatalog Load(string path)
        {
            UIntPtr len;
            byte[] p = Interop.Utf8(path, "path", out len);
            IntPtr raw;
            Interop.Check(NativeMethods.volact_user_catalog_load(p, len, out raw));
            return new UserCatalog(raw);
        }

        /// <summary>Writes the catalog as JSON, atomically, creating its directory.</summary>
        /// <exception cref="VolactIOException">The file cannot be written.</exception>
        public void Save(string path)
        {
            UIntPtr len;
            byte[] p = Interop.Utf8(path, "path", out len);
            Interop.Check(NativeMethods.volact_user_catalog_save(Live, p, len));
        }

        /// <summary>
        /// Parses a pkeyconfig file's bytes and imports it under <paramref name="name"/> (usually
        /// the file name), all or nothing; a later import of an <c>ActConfigId</c> replaces it.
        /// Returns the report JSON: <c>{"file", "configurations", "key_ranges",
        /// "configurations_by_channel", "key_ranges_by_channel", "replaced", "orphan_ranges"}</c>.
        /// </summary>
        /// <exception cref="InvalidCatalogFileException">The file cannot be read; nothing was imported.</exception>
        public string ImportPkeyconfig(byte[] bytes, string name)
        {
            UserCatalogHandle h = Live;
            UIntPtr len, nameLen, n;
            byte[] data = Interop.Blob(bytes, "bytes", out len);
            byte[] nameBytes = Interop.Utf8(name, "name", out nameLen);
            // The import changes the catalog once; its report is read afterwards from the handle
            // (volact_user_catalog_last_report), so a retry for buffer size never re-imports.
            Interop.Check(NativeMethods.volact_user_catalog_import_pkeyconfig(
                h, data, len, nameBytes, nameLen, null, UIntPtr.Zero, out n));
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr m) =>
                NativeMethods.volact_user_catalog_last_report(h, b, l, out m), JsonCapacity);
        }

        /// <summary>How many configurations the catalog holds.</summary>
        public long ConfigurationCount
        {
            get
            {
                UIntPtr n;
                Interop.Check(NativeMethods.volact_user_catalog_configurations(Live, out n));
                return checked((long)n.ToUInt64());
            }
        }

        /// <summary>
        /// Classifies a product key and returns the core's JSON (the <c>classification</c> of
        /// <c>volact key inspect --json</c>): <c>{"source", "source_file", "channel",
        /// "channel_kind", "edition", "description", "act_config_id", "part_number"}</c>, with
        /// <c>source</c> <c>gvlk</c>, <c>user_catalog</c> or <c>unknown</c>. Never holds the key.
        /// </summary>
        /// <exception cref="InvalidProductKeyException">Not a valid key (the message never holds it).</exception>
        public string Classify(string key)
        {
            UserCatalogHandle h = Live;
            UIntPtr len;
            byte[] k = Interop.Utf8(key, "key", out len);
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_user_catalog_classify(h, k, len, b, l, out n), JsonCapacity);
        }

        /// <summary>Releases the native catalog. Safe to call more than once.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        public override string ToString()
        {
            return handle.IsClosed ? "UserCatalog(disposed)" : "UserCatalog(configurations=" + ConfigurationCount + ")";
        }

        // For MakStore.Add, which passes the catalog to libvolact.
        internal UserCatalogHandle Handle
        {
            get { return Live; }
        }

        private UserCatalogHandle Live
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("UserCatalog");
                }
                return handle;
            }
        }
    }
}
