// A valid product key held by libvolact (volact_product_key), released deterministically.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.Win32.SafeHandles;

namespace Volact
{
    /// <summary>Owns one <c>volact_product_key*</c>; frees it exactly once.</summary>
    internal sealed class ProductKeyHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        internal ProductKeyHandle(IntPtr key)
            : base(true)
        {
            SetHandle(key);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.volact_product_key_free(handle);
            return true;
        }
    }

    /// <summary>
    /// The decoded fields of a pkey2009 key (<c>volact_pkey2009</c>): group id bits 0-19,
    /// serial 20-49, security 50-102, checksum 103-112, upgrade 113, extra 114.
    /// </summary>
    public struct Pkey2009Fields : IEquatable<Pkey2009Fields>
    {
        internal Pkey2009Fields(NativeMethods.volact_pkey2009 f)
        {
            GroupId = f.group_id;
            Serial = f.serial;
            Security = f.security;
            Checksum = f.checksum;
            Upgrade = f.upgrade != 0;
            Extra = f.extra != 0;
        }

        /// <summary>The key group (pkeyconfig RefGroupId), e.g. 3290.</summary>
        public uint GroupId { get; }
        public uint Serial { get; }
        public ulong Security { get; }
        /// <summary>The 10-bit checksum stored in the key.</summary>
        public ushort Checksum { get; }
        public bool Upgrade { get; }
        public bool Extra { get; }

        public bool Equals(Pkey2009Fields other)
        {
            return GroupId == other.GroupId && Serial == other.Serial && Security == other.Security
                && Checksum == other.Checksum && Upgrade == other.Upgrade && Extra == other.Extra;
        }

        public override bool Equals(object obj)
        {
            return obj is Pkey2009Fields && Equals((Pkey2009Fields)obj);
        }

        public override int GetHashCode()
        {
            return ((int)GroupId * 397) ^ (int)Serial ^ Security.GetHashCode() ^ (Checksum << 20);
        }

        public override string ToString()
        {
            return string.Format(
                "group {0}, serial {1}, checksum 0x{2:x3}, upgrade {3}, extra {4}",
                GroupId, Serial, Checksum, Upgrade, Extra);
        }
    }

    /// <summary>
    /// A syntactically valid product key (with a matching checksum, for pkey2009), held by
    /// libvolact. Dispose it to release the native copy; <see cref="ToString"/> and every
    /// exception show the masked form only, <see cref="Reveal"/> the key itself.
    /// </summary>
    /// <example><code>
    /// using (var key = ProductKey.Parse("NPPR9-FWDCX-D2C8J-H872K-2YT43"))
    /// {
    ///     Console.WriteLine(key);                     // XXXXX-XXXXX-XXXXX-XXXXX-2YT43
    ///     Console.WriteLine(key.Pkey2009.Value.GroupId); // 3290
    /// }
    /// </code></example>
    public sealed class ProductKey : IDisposable
    {
        private readonly ProductKeyHandle handle;

        private ProductKey(IntPtr raw)
        {
            handle = new ProductKeyHandle(raw);
        }

        /// <summary>
        /// Parses and verifies a key (any case; dashes and ASCII whitespace anywhere).
        /// </summary>
        /// <exception cref="InvalidProductKeyException">The text is not a valid key; the message
        /// says why and where, without the key.</exception>
        public static ProductKey Parse(string text)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            try
            {
                IntPtr raw;
                Interop.Check(NativeMethods.volact_product_key_parse(bytes, len, out raw));
                return new ProductKey(raw);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>As <see cref="Parse"/>, returning false (and null) for an invalid key.</summary>
        public static bool TryParse(string text, out ProductKey key)
        {
            key = null;
            if (text == null)
            {
                return false;
            }
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            try
            {
                IntPtr raw;
                VolactResult r = NativeMethods.volact_product_key_parse(bytes, len, out raw);
                if (r != VolactResult.Ok)
                {
                    if (r >= VolactResult.KeyInvalidCharacter && r <= VolactResult.KeyOther)
                    {
                        return false;
                    }
                    Interop.Check(r);   // not a verdict on the key: a bug worth an exception
                }
                key = new ProductKey(raw);
                return true;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>
        /// Decodes the key stored in a <c>DigitalProductId</c> or <c>DigitalProductId4</c>
        /// registry value (REG_BINARY).
        /// </summary>
        /// <exception cref="InvalidDigitalProductIdException">The blob holds no valid key.</exception>
        public static ProductKey FromDigitalProductId(byte[] blob, DpidLayout layout)
        {
            UIntPtr len;
            byte[] bytes = Interop.Blob(blob, "blob", out len);
            IntPtr raw;
            Interop.Check(NativeMethods.volact_decode_digital_product_id(bytes, len, (uint)layout, out raw));
            return new ProductKey(raw);
        }

        public KeyAlgorithm Algorithm
        {
            get
            {
                KeyAlgorithm a;
                Interop.Check(NativeMethods.volact_product_key_algorithm(Live, out a));
                return a;
            }
        }

        /// <summary>The decoded fields of a pkey2009 key; null for a pkey2005 key.</summary>
        public Pkey2009Fields? Pkey2009
        {
            get
            {
                NativeMethods.volact_pkey2009 f;
                VolactResult r = NativeMethods.volact_product_key_pkey2009(Live, out f);
                if (r == VolactResult.NotFound)
                {
                    return null;
                }
                Interop.Check(r);
                return new Pkey2009Fields(f);
            }
        }

        /// <summary>The masked form, <c>XXXXX-XXXXX-XXXXX-XXXXX-ABCDE</c>.</summary>
        public string Masked
        {
            get
            {
                ProductKeyHandle h = Live;
                return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                    NativeMethods.volact_product_key_masked(h, b, l, out n));
            }
        }

        /// <summary>The last five symbols, as Windows shows them.</summary>
        public string Partial
        {
            get
            {
                ProductKeyHandle h = Live;
                return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                    NativeMethods.volact_product_key_partial(h, b, l, out n));
            }
        }

        /// <summary>SHA-256 of the canonical key, lowercase hex: compares keys without showing them.</summary>
        public string Fingerprint
        {
            get
            {
                ProductKeyHandle h = Live;
                return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                    NativeMethods.volact_product_key_fingerprint(h, b, l, out n));
            }
        }

        /// <summary>The channel when volact knows it (<c>Volume:GVLK</c> for published GVLKs), else null.</summary>
        public string Channel
        {
            get
            {
                ProductKeyHandle h = Live;
                return Interop.ReadOptionalText(
                    (byte[] b, UIntPtr l, out UIntPtr n) => NativeMethods.volact_product_key_channel(h, b, l, out n));
            }
        }

        /// <summary>The catalog rows that publish this key (empty when it is not a published GVLK).</summary>
        public IReadOnlyList<CatalogRow> CatalogRows
        {
            get
            {
                ProductKeyHandle h = Live;
                int[] indices = Interop.ReadIndices((UIntPtr[] ix, UIntPtr cap, out UIntPtr n) =>
                    NativeMethods.volact_product_key_catalog_rows(h, ix, cap, out n));
                return Catalog.RowsAt(indices);
            }
        }

        /// <summary>
        /// The key itself, canonical (<c>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</c>). The one call that
        /// reveals a key: use it only where the user asked to see it.
        /// </summary>
        public string Reveal()
        {
            ProductKeyHandle h = Live;
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_product_key_reveal(h, b, l, out n));
        }

        /// <summary>The masked form; never the key.</summary>
        public override string ToString()
        {
            return handle.IsClosed ? "ProductKey (disposed)" : Masked;
        }

        /// <summary>Releases the native key. Safe to call more than once.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        private ProductKeyHandle Live
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("ProductKey");
                }
                return handle;
            }
        }
    }
}
