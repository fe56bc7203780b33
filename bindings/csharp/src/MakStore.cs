// The MAK store held by libvolact (volact_mak_store), released deterministically.
// No logic: classification, refusals, selectors, snapshot ordering, the file format and its
// owner-only permissions are the Rust core's and volact-io's; the JSON texts are the core's
// masked view (docs/mak-store.md), as `volact mak list --json` prints it. No key ever leaves
// libvolact unmasked through this class.
using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Volact
{
    /// <summary>Owns one <c>volact_mak_store*</c>; frees it exactly once.</summary>
    internal sealed class MakStoreHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        internal MakStoreHandle(IntPtr store)
            : base(true)
        {
            SetHandle(store);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.volact_mak_store_free(handle);
            return true;
        }
    }

    /// <summary>
    /// The MAK, CSVLK and retail keys the administrator owns, as VAMT's "Manage MAK Keys" keeps
    /// them: each classified by a <see cref="UserCatalog"/> or declared (<see cref="KeyKind"/>),
    /// with a description and the remaining-activation counts recorded (snapshots in time, not
    /// live counts). Entries come back as the core's JSON with the key masked
    /// (<c>XXXXX-XXXXX-XXXXX-XXXXX-6Q83G</c>). <see cref="Save"/> writes an owner-only file
    /// (0600); <see cref="Load"/> refuses one others can read. Dispose it to release the native
    /// store; calls that change it need it to themselves.
    /// </summary>
    /// <example><code>
    /// using (UserCatalog catalog = new UserCatalog())
    /// using (MakStore store = MakStore.Load(path))          // a missing file is an empty store
    /// {
    ///     catalog.ImportPkeyconfig(File.ReadAllBytes(pkeyconfig), "pkeyconfig.xrm-ms");
    ///     string entry = store.Add(key, catalog, KeyKind.None, "Lab MAK", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    ///     store.RecordCount("6Q83G", 120, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    ///     store.Save(path);                                 // 0600
    /// }
    /// </code></example>
    public sealed class MakStore : IDisposable
    {
        private const int JsonCapacity = 1024;

        private readonly MakStoreHandle handle;

        private MakStore(IntPtr raw)
        {
            handle = new MakStoreHandle(raw);
        }

        /// <summary>An empty store.</summary>
        public MakStore()
            : this(New())
        {
        }

        private static IntPtr New()
        {
            IntPtr raw;
            Interop.Check(NativeMethods.volact_mak_store_new(out raw));
            return raw;
        }

        /// <summary>Reads a store file; a missing file is an empty store.</summary>
        /// <exception cref="MakStoreException"><see cref="VolactResult.MakStoreExposed"/> when its group or
        /// others can read it (<c>chmod 600</c> it); <see cref="VolactResult.MakStoreFormat"/>,
        /// <see cref="VolactResult.MakStoreVersion"/>.</exception>
        /// <exception cref="VolactIOException">The file cannot be read.</exception>
        public static MakStore Load(string path)
        {
            UIntPtr len;
            byte[] p = Interop.Utf8(path, "path", out len);
            IntPtr raw;
            Interop.Check(NativeMethods.volact_mak_store_load(p, len, out raw));
            return new MakStore(raw);
        }

        /// <summary>
        /// Writes the store atomically as an owner-only file (0600 on Unix, its directory created
        /// 0700). The file holds the keys in clear.
        /// </summary>
        /// <exception cref="VolactIOException">The file cannot be written.</exception>
        public void Save(string path)
        {
            UIntPtr len;
            byte[] p = Interop.Utf8(path, "path", out len);
            Interop.Check(NativeMethods.volact_mak_store_save(Live, p, len));
        }

        /// <summary>
        /// Adds a key the administrator owns, classified with <paramref name="catalog"/> (null:
        /// the published GVLKs only). <paramref name="declared"/> is <see cref="KeyKind.None"/> or
        /// the kind of a key no catalog knows. <paramref name="nowUnix"/> is recorded as
        /// <c>added_at</c>. Returns the new entry's JSON, key masked.
        /// </summary>
        /// <exception cref="InvalidProductKeyException">Not a valid key.</exception>
        /// <exception cref="MakStoreException"><see cref="VolactResult.MakGvlk"/>,
        /// <see cref="VolactResult.MakUnknownType"/> (declare the kind),
        /// <see cref="VolactResult.MakContradiction"/>, <see cref="VolactResult.MakUnsupportedChannel"/>,
        /// <see cref="VolactResult.MakDuplicate"/>. Nothing changed.</exception>
        public string Add(string key, UserCatalog catalog, KeyKind declared, string description, long nowUnix)
        {
            MakStoreHandle h = Live;
            UIntPtr keyLen, descriptionLen, n;
            byte[] k = Interop.Utf8(key, "key", out keyLen);
            byte[] d = Interop.Utf8(description, "description", out descriptionLen);
            var buf = new byte[JsonCapacity];
            SafeHandle c = catalog == null ? null : catalog.Handle;
            bool added = false;
            try
            {
                if (c != null)
                {
                    c.DangerousAddRef(ref added);
                }
                IntPtr raw = c == null ? IntPtr.Zero : c.DangerousGetHandle();
                Interop.Check(NativeMethods.volact_mak_store_add(
                    h, k, keyLen, (uint)declared, d, descriptionLen, nowUnix, raw,
                    buf, new UIntPtr((uint)buf.Length), out n));
            }
            finally
            {
                if (added)
                {
                    c.DangerousRelease();
                }
                Array.Clear(k, 0, k.Length);
            }
            ulong written = n.ToUInt64();
            if (written < (ulong)buf.Length)
            {
                return System.Text.Encoding.UTF8.GetString(buf, 0, checked((int)written));
            }
            // The entry is in the store either way; read it back (the key is its own selector).
            return Get(key);
        }

        /// <summary>
        /// Removes the entry a selector names: its id, 4+ leading hex digits of it, the key's last
        /// five characters, its masked form or the key.
        /// </summary>
        /// <exception cref="VolactException"><see cref="VolactResult.NotFound"/>.</exception>
        /// <exception cref="MakStoreException"><see cref="VolactResult.MakAmbiguous"/> (use the id).</exception>
        public void Remove(string selector)
        {
            UIntPtr len;
            byte[] s = Interop.Utf8(selector, "selector", out len);
            Interop.Check(NativeMethods.volact_mak_store_remove(Live, s, len));
        }

        /// <summary>
        /// Records a remaining-activation count taken at <paramref name="nowUnix"/> (a snapshot in
        /// time, not a live count; snapshots stay in time order) and returns the entry's JSON.
        /// </summary>
        /// <exception cref="VolactException"><see cref="VolactResult.NotFound"/>.</exception>
        /// <exception cref="MakStoreException"><see cref="VolactResult.MakAmbiguous"/>.</exception>
        public string RecordCount(string selector, uint remaining, long nowUnix)
        {
            UIntPtr len;
            byte[] s = Interop.Utf8(selector, "selector", out len);
            Interop.Check(NativeMethods.volact_mak_store_record_count(Live, s, len, remaining, nowUnix));
            return Get(selector);
        }

        /// <summary>
        /// Records that <paramref name="used"/> activations were spent at
        /// <paramref name="nowUnix"/> (a MAK independent run's
        /// <see cref="Workflow.OnlineActivations"/>): a new snapshot of the latest count less
        /// <paramref name="used"/>. Returns the entry's JSON, or null when no count was ever
        /// recorded (nothing to decrement).
        /// </summary>
        /// <exception cref="VolactException"><see cref="VolactResult.NotFound"/>.</exception>
        /// <exception cref="MakStoreException"><see cref="VolactResult.MakAmbiguous"/>.</exception>
        public string RecordActivations(string selector, uint used, long nowUnix)
        {
            UIntPtr len;
            byte[] s = Interop.Utf8(selector, "selector", out len);
            uint recorded;
            Interop.Check(NativeMethods.volact_mak_store_record_activations(Live, s, len, used, nowUnix, out recorded));
            return recorded != 0 ? Get(selector) : null;
        }

        /// <summary>
        /// The JSON of the entry a selector names (see <see cref="Remove"/>): <c>{"id", "key"
        /// (masked), "partial", "kind", "source", "source_file", "edition", "product",
        /// "description", "added_at", "added_at_unix", "remaining", "remaining_taken_at",
        /// "snapshots"}</c>.
        /// </summary>
        /// <exception cref="VolactException"><see cref="VolactResult.NotFound"/>.</exception>
        /// <exception cref="MakStoreException"><see cref="VolactResult.MakAmbiguous"/>.</exception>
        public string Get(string selector)
        {
            MakStoreHandle h = Live;
            UIntPtr len;
            byte[] s = Interop.Utf8(selector, "selector", out len);
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr m) =>
                NativeMethods.volact_mak_store_get(h, s, len, b, l, out m), JsonCapacity);
        }

        /// <summary>Every entry, as a JSON array of <see cref="Get"/>'s objects (keys masked).</summary>
        public string List()
        {
            MakStoreHandle h = Live;
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr m) =>
                NativeMethods.volact_mak_store_list(h, b, l, out m), JsonCapacity);
        }

        /// <summary>Releases the native store. Safe to call more than once.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        /// <summary><c>MakStore</c>, or <c>MakStore(disposed)</c>: never a key.</summary>
        public override string ToString()
        {
            return handle.IsClosed ? "MakStore(disposed)" : "MakStore";
        }

        // For Workflow, which passes the store to libvolact.
        internal MakStoreHandle Handle
        {
            get { return Live; }
        }

        private MakStoreHandle Live
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("MakStore");
                }
                return handle;
            }
        }
    }
}
