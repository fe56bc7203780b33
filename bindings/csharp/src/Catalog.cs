// The catalog of published GVLKs compiled into libvolact.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Volact
{
    /// <summary>One published GVLK row (<c>volact_catalog_row</c>). The key is public: Microsoft publishes GVLKs.</summary>
    public sealed class CatalogRow
    {
        internal CatalogRow(int index, string family, string edition, string key)
        {
            Index = index;
            Family = family;
            Edition = edition;
            Key = key;
        }

        /// <summary>Position in <see cref="Catalog.Rows"/>.</summary>
        public int Index { get; }

        /// <summary>Product family as Microsoft's tables head it, e.g. <c>Windows 11</c>.</summary>
        public string Family { get; }

        /// <summary>Edition, e.g. <c>Enterprise</c>.</summary>
        public string Edition { get; }

        /// <summary>The GVLK, canonical.</summary>
        public string Key { get; }

        public override string ToString()
        {
            return Family + " " + Edition;
        }
    }

    public static class Catalog
    {
        // The native strings are static for the life of the process, so one copy will do.
        private static readonly Lazy<ReadOnlyCollection<CatalogRow>> rows =
            new Lazy<ReadOnlyCollection<CatalogRow>>(Load);

        /// <summary>How many rows the catalog has.</summary>
        public static int Count
        {
            get { return checked((int)NativeMethods.volact_catalog_len().ToUInt64()); }
        }

        /// <summary>Every row, in catalog order.</summary>
        public static IReadOnlyList<CatalogRow> Rows
        {
            get { return rows.Value; }
        }

        /// <summary>
        /// Rows whose <c>family edition</c> contains every word of <paramref name="query"/>
        /// (case-insensitive), exact names first.
        /// </summary>
        public static IReadOnlyList<CatalogRow> Gvlk(string query)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(query, "query", out len);
            int[] indices = Interop.ReadIndices((UIntPtr[] ix, UIntPtr cap, out UIntPtr n) =>
                NativeMethods.volact_catalog_gvlk(bytes, len, ix, cap, out n));
            return RowsAt(indices);
        }

        /// <summary>The label volact knows for a key group id, or null.</summary>
        public static string GroupLabel(uint groupId)
        {
            return Interop.ReadOptionalText(
                (byte[] b, UIntPtr l, out UIntPtr n) => NativeMethods.volact_catalog_group_label(groupId, b, l, out n));
        }

        internal static IReadOnlyList<CatalogRow> RowsAt(int[] indices)
        {
            var all = rows.Value;
            var picked = new CatalogRow[indices.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                picked[i] = all[indices[i]];
            }
            return new ReadOnlyCollection<CatalogRow>(picked);
        }

        private static ReadOnlyCollection<CatalogRow> Load()
        {
            int count = Count;
            var list = new CatalogRow[count];
            for (int i = 0; i < count; i++)
            {
                NativeMethods.volact_catalog_row row;
                Interop.Check(NativeMethods.volact_catalog_row_get(new UIntPtr((uint)i), out row));
                list[i] = new CatalogRow(
                    i,
                    Interop.FromStaticUtf8(row.family),
                    Interop.FromStaticUtf8(row.edition),
                    Interop.FromStaticUtf8(row.key));
            }
            return new ReadOnlyCollection<CatalogRow>(list);
        }
    }
}
