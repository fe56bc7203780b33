// P/Invoke declarations for libvolact, one per function of bindings/c/include/volact.h.
//
// Hand-written rather than generated: mcs (C# 7.2) compiles it, and the tests check it
// against the header (function names, parameter counts, enum values, struct layouts), so
// a header change that is not mirrored here fails `bindings/csharp/test.sh`.
//
// Mapping: size_t -> UIntPtr; uint8_t/uint16_t/uint32_t/uint64_t -> byte/ushort/uint/ulong;
// C enums (uint32_t in the ABI) -> the uint-backed enums of Enums.cs; bool (1 byte in Rust and
// C) -> byte in structs, so that every struct stays blittable and its layout is the C one,
// and -> bool with [MarshalAs(UnmanagedType.U1)] as a parameter; text in -> byte[] UTF-8 plus
// its length; text and bytes out -> a caller byte[] buffer; handles -> SafeHandles (raw
// IntPtr for the out-parameter that creates one and for _free). The structs keep the C names
// so that they read side by side with the header.
using System;
using System.Runtime.InteropServices;

namespace Volact
{
    internal static class NativeMethods
    {
        // Mono and .NET map "volact" to libvolact.so / libvolact.dylib / volact.dll.
        internal const string Library = "volact";

        internal const uint VOLACT_VERSION_MAJOR = 0;
        internal const uint VOLACT_VERSION_MINOR = 1;
        internal const uint VOLACT_VERSION_PATCH = 0;

        // SIZE_MAX in volact_key_info.error_position and volact_id_info.error_position.
        internal static readonly UIntPtr SIZE_MAX = UIntPtr.Size == 8
            ? new UIntPtr(ulong.MaxValue)
            : new UIntPtr(uint.MaxValue);

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_catalog_row
        {
            public IntPtr family;   // const char *, static, NUL-terminated UTF-8
            public IntPtr edition;
            public IntPtr key;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_error_code
        {
            public uint code;
            public IntPtr hex;          // const char *, static, NUL-terminated UTF-8
            public IntPtr message;
            public IntPtr applies_to;
            public IntPtr cause;
            public IntPtr fix;
            public IntPtr source;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_epid
        {
            public uint platform;
            public uint group_id;
            public uint serial;
            public byte channel;
            public uint lcid;
            public uint build;
            public uint build_revision;
            public ushort install_day;
            public ushort install_year;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_id_info
        {
            public VolactResult error;
            public UIntPtr error_position;
            public IdKind kind;
            public UIntPtr digits;
            public UIntPtr groups;
            public UIntPtr group_len;
            public uint bad_groups_mask;
            public byte rule_confirmed;   // bool
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_pkey2009
        {
            public uint group_id;
            public uint serial;
            public ulong security;
            public ushort checksum;
            public byte upgrade;   // bool
            public byte extra;     // bool
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_key_info
        {
            public VolactResult error;
            public UIntPtr error_position;
            public KeyAlgorithm algorithm;
            public byte has_fields;   // bool
            public volact_pkey2009 fields;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_cil_summary
        {
            public UIntPtr computers;
            public UIntPtr products;
            public UIntPtr with_installation_id;
            public UIntPtr pending_cids;
            public UIntPtr applied_cids;
        }

        // --- library ---

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr volact_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_result_message(
            uint result, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_last_error_message(
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        // --- catalog ---

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern UIntPtr volact_catalog_len();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_catalog_row_get(
            UIntPtr index, out volact_catalog_row @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_catalog_gvlk(
            [In] byte[] query, UIntPtr len, [Out] UIntPtr[] indices, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_catalog_group_label(
            uint group_id, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        // --- ePID ---

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_epid_parse(
            [In] byte[] text, UIntPtr len, out volact_epid @out);

        // --- Installation and Confirmation IDs ---

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_id_check(
            [In] byte[] text, UIntPtr len, out volact_id_info @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_id_canonical(
            [In] byte[] text, UIntPtr len, [Out] byte[] buf, UIntPtr buf_len, out UIntPtr out_n);

        // --- product keys ---

        // The new handle comes back as a raw pointer and is wrapped in a ProductKeyHandle only
        // on VOLACT_RESULT_OK (out-parameters are written only on success), so no runtime's
        // SafeHandle marshalling can ever wrap (and later free) an unwritten slot.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_parse(
            [In] byte[] text, UIntPtr len, out IntPtr key_out);

        // Called only by ProductKeyHandle.ReleaseHandle, hence the raw pointer.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void volact_product_key_free(IntPtr key);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_algorithm(
            ProductKeyHandle key, out KeyAlgorithm @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_pkey2009(
            ProductKeyHandle key, out volact_pkey2009 @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_masked(
            ProductKeyHandle key, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_reveal(
            ProductKeyHandle key, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_partial(
            ProductKeyHandle key, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_fingerprint(
            ProductKeyHandle key, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_channel(
            ProductKeyHandle key, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_product_key_catalog_rows(
            ProductKeyHandle key, [Out] UIntPtr[] indices, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_key_inspect(
            [In] byte[] text, UIntPtr len, out volact_key_info @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_key_masked_text(
            [In] byte[] text, UIntPtr len, [Out] byte[] buf, UIntPtr buf_len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_keys_check_batch(
            [In] byte[] text, UIntPtr len, [Out] byte[] statuses, [Out] uint[] group_ids,
            UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_decode_digital_product_id(
            [In] byte[] blob, UIntPtr len, uint layout, out IntPtr key_out);
    
        // --- User catalog ---

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_new(out IntPtr @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_load(
            [In] byte[] path, UIntPtr path_len, out IntPtr @out);

        // Called only by UserCatalogHandle.ReleaseHandle, hence the raw pointer.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void volact_user_catalog_free(IntPtr handle);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_save(
            UserCatalogHandle handle, [In] byte[] path, UIntPtr path_len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_import_pkeyconfig(
            UserCatalogHandle handle, [In] byte[] bytes, UIntPtr len, [In] byte[] name, UIntPtr name_len,
            [Out] byte[] report_buf, UIntPtr report_len, out UIntPtr report_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_last_report(
            UserCatalogHandle handle, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_configurations(
            UserCatalogHandle handle, out UIntPtr @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_user_catalog_classify(
            UserCatalogHandle handle, [In] byte[] key, UIntPtr key_len, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        // --- MAK store ---
        //
        // volact_mak_store_add takes the catalog as a raw pointer: it may be NULL (the published
        // GVLKs only), which a SafeHandle parameter cannot be. MakStore.Add keeps the catalog's
        // handle alive around the call (DangerousAddRef/Release).

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_new(out IntPtr @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_load(
            [In] byte[] path, UIntPtr path_len, out IntPtr @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_save(
            MakStoreHandle handle, [In] byte[] path, UIntPtr path_len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_add(
            MakStoreHandle handle, [In] byte[] key, UIntPtr key_len, uint declared,
            [In] byte[] description, UIntPtr description_len, long now_unix, IntPtr catalog,
            [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_remove(
            MakStoreHandle handle, [In] byte[] selector, UIntPtr selector_len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_record_count(
            MakStoreHandle handle, [In] byte[] selector, UIntPtr selector_len, uint remaining, long now_unix);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_record_activations(
            MakStoreHandle handle, [In] byte[] selector, UIntPtr selector_len, uint used, long now_unix,
            out uint out_recorded);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_list(
            MakStoreHandle handle, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_mak_store_get(
            MakStoreHandle handle, [In] byte[] selector, UIntPtr selector_len,
            [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        // Called only by MakStoreHandle.ReleaseHandle, hence the raw pointer.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void volact_mak_store_free(IntPtr handle);

        // --- CIL documents ---
        //
        // C bool parameters are marshalled as one byte (UnmanagedType.U1), which also keeps
        // them 0 or 1 as Rust requires; the default for bool would be a 4-byte Win32 BOOL.
        // New handles come back as raw pointers, wrapped only on VOLACT_RESULT_OK.

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_parse(
            [In] byte[] bytes, UIntPtr len, out IntPtr @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_load(
            [In] byte[] path, UIntPtr path_len, out IntPtr @out);

        // Called only by CilDocumentHandle.ReleaseHandle, hence the raw pointer.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void volact_cil_free(IntPtr doc);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_save(
            CilDocumentHandle doc, [In] byte[] path, UIntPtr path_len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_to_bytes(
            CilDocumentHandle doc, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_summarize(
            CilDocumentHandle doc, out volact_cil_summary @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_document_json(
            CilDocumentHandle doc, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_validate_json(
            CilDocumentHandle doc, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_validate_counts(
            CilDocumentHandle doc, out UIntPtr errors_out, out UIntPtr warnings_out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_export(
            CilDocumentHandle doc, uint mode,
            [MarshalAs(UnmanagedType.U1)] bool include_sensitive,
            [MarshalAs(UnmanagedType.U1)] bool include_product_keys,
            out IntPtr @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_add_cids(
            CilDocumentHandle doc, [In] byte[] csv, UIntPtr csv_len,
            [MarshalAs(UnmanagedType.U1)] bool strict,
            [Out] byte[] report_buf, UIntPtr report_len, out UIntPtr report_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_merge(
            CilDocumentHandle full, CilDocumentHandle returned,
            [MarshalAs(UnmanagedType.U1)] bool force,
            [Out] byte[] report_buf, UIntPtr report_len, out UIntPtr report_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_cil_last_report(
            CilDocumentHandle doc, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);
    
        // --- KMS discovery over DNS ---
        //
        // The enum arguments are plain uint in the ABI (volact_srv_format, volact_srv_order_mode
        // are typedefs of uint32_t there); the wrappers pass the enums' values. The probe's
        // bool out-parameter is a byte: Rust writes one byte, and a C# `out bool` would read
        // a 4-byte Win32 BOOL by default.

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_srv_plan(
            [In] byte[] topology, UIntPtr len, uint format, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_srv_order(
            [In] byte[] records, UIntPtr len, ulong seed, uint mode, [Out] byte[] @out, UIntPtr cap,
            out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_srv_first_counts(
            [In] byte[] records, UIntPtr len, ulong seed, uint mode, ulong draws, [Out] byte[] @out,
            UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_srv_discover(
            [In] byte[] config_json, UIntPtr config_len, [In] byte[] servers, UIntPtr servers_len,
            uint timeout_ms, ulong seed, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_srv_publish(
            [In] byte[] server, UIntPtr server_len, [In] byte[] zone, UIntPtr zone_len,
            [In] byte[] domain, UIntPtr domain_len, [In] byte[] record, UIntPtr record_len, uint ttl,
            [In] byte[] tsig_key, UIntPtr tsig_key_len, uint timeout_ms);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_srv_withdraw(
            [In] byte[] server, UIntPtr server_len, [In] byte[] zone, UIntPtr zone_len,
            [In] byte[] domain, UIntPtr domain_len, [In] byte[] host, UIntPtr host_len,
            [In] byte[] priority_weight, UIntPtr priority_weight_len, [In] byte[] tsig_key,
            UIntPtr tsig_key_len, uint timeout_ms, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_probe(
            [In] byte[] host_port, UIntPtr len, uint timeout_ms, out byte open);

        // --- licensing ---

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_license_status_name(
            uint value, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_license_status_dli_text(
            uint value, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_policy_check_interval(ulong minutes);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_policy_parse_interval(
            [In] byte[] text, UIntPtr len, out uint out_minutes);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_explain(
            [In] byte[] code, UIntPtr len, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_fleet_run(
            [In] byte[] toml, UIntPtr len, [Out] byte[] @out, UIntPtr cap, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_explain_lookup(
            [In] byte[] code, UIntPtr len, out volact_error_code @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern UIntPtr volact_explain_count();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_explain_get(UIntPtr index, out volact_error_code @out);

        // --- workflows ---
        //
        // The callback tables are blittable structs of function pointers (IntPtr, from
        // Marshal.GetFunctionPointerForDelegate over the delegate types below, which Workflow.cs
        // keeps in static fields so they are never collected). Text volact passes to a callback
        // is (IntPtr text, UIntPtr len), UTF-8; text a callback returns goes through
        // volact_sink_write. The error structs are written through their pointer at the offsets
        // of the mirrors below (checked against layout.c).

        internal const int VOLACT_DETAIL_LEN = 256;

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_target_error
        {
            public uint kind;
            public uint code;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = VOLACT_DETAIL_LEN)]
            public byte[] detail;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_cid_refusal
        {
            public uint code;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = VOLACT_DETAIL_LEN)]
            public byte[] detail;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_target_vtable
        {
            public IntPtr user;
            public IntPtr machine_json;
            public IntPtr products_json;
            public IntPtr install_product_key;
            public IntPtr activate;
            public IntPtr deposit_confirmation_id;
            public IntPtr set_kms_host;
            public IntPtr set_kms_lookup_domain;
            public IntPtr set_host_caching;
            public IntPtr read_value;
            public IntPtr write_value;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct volact_cid_source_vtable
        {
            public IntPtr user;
            public IntPtr confirmation_id;
        }

        // machine_json, products_json: (user, sink, err).
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int SinkCallback(IntPtr user, IntPtr sink, IntPtr err);

        // install_product_key, activate, set_kms_host, set_kms_lookup_domain: (user, text, len, err).
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int TextCallback(IntPtr user, IntPtr text, UIntPtr len, IntPtr err);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int DepositCallback(
            IntPtr user, IntPtr activation_id, UIntPtr activation_id_len,
            IntPtr installation_id, UIntPtr installation_id_len,
            IntPtr confirmation_id, UIntPtr confirmation_id_len, IntPtr err);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int BoolCallback(IntPtr user, [MarshalAs(UnmanagedType.U1)] bool enabled, IntPtr err);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int ReadValueCallback(IntPtr user, IntPtr name, UIntPtr name_len, IntPtr sink, IntPtr err);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int WriteValueCallback(
            IntPtr user, IntPtr name, UIntPtr name_len, IntPtr data_json, UIntPtr data_json_len, IntPtr err);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int CidCallback(
            IntPtr user, IntPtr installation_id, UIntPtr installation_id_len,
            IntPtr product_key_id, UIntPtr product_key_id_len,
            IntPtr sku_id, UIntPtr sku_id_len, IntPtr sink, IntPtr refusal);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_sink_write(IntPtr sink, [In] byte[] data, UIntPtr len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_survey(
            [In] volact_target_vtable[] targets, UIntPtr n_targets,
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        // store and cil may be NULL, hence raw pointers (the caller holds a reference).
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_plan(
            [In] byte[] kind, UIntPtr kind_len, [In] byte[] survey_json, UIntPtr survey_json_len,
            IntPtr store, [In] byte[] selector, UIntPtr selector_len, IntPtr cil,
            [In] byte[] kms_hosts, UIntPtr kms_hosts_len,
            [MarshalAs(UnmanagedType.U1)] bool exact_iid,
            [In] byte[] options_json, UIntPtr options_json_len,
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_render(
            [In] byte[] plan_json, UIntPtr plan_json_len, [In] byte[] format, UIntPtr format_len,
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_online_activations(
            [In] byte[] run_json, UIntPtr run_json_len, out uint out_count);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_run_new(
            [In] byte[] plan_json, UIntPtr plan_json_len, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_run_execute(
            [In] byte[] run_json, UIntPtr run_json_len,
            IntPtr store, [In] byte[] selector, UIntPtr selector_len,
            [In] volact_target_vtable[] targets, UIntPtr n_targets,
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_last_output(
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_collect_cil(
            [In] byte[] survey_json, UIntPtr survey_json_len, [In] byte[] group, UIntPtr group_len,
            out IntPtr @out, [Out] byte[] left_buf, UIntPtr left_len, out UIntPtr left_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_acquire(
            CilDocumentHandle doc, ref volact_cid_source_vtable source,
            [Out] byte[] report_buf, UIntPtr report_len, out UIntPtr report_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_collect_script(
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_workflow_proxy_steps(
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        // --- Unattend.xml ---
        //
        // The catalog may be NULL (the published GVLKs only), hence a raw pointer: Unattend.Show
        // keeps the catalog's handle alive around the call (DangerousAddRef/Release).

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_unattend_show(
            [In] byte[] file, UIntPtr file_len, IntPtr catalog,
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_unattend_set_key(
            [In] byte[] file, UIntPtr file_len, [In] byte[] key, UIntPtr key_len,
            [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern VolactResult volact_unattend_scrub(
            [In] byte[] file, UIntPtr file_len, [Out] byte[] buf, UIntPtr len, out UIntPtr out_n);
    }
}
