// The machines and the CID source a workflow runs against, as C# interfaces, and the callback
// tables (volact_target_vtable, volact_cid_source_vtable) that carry them across the C ABI.
// No logic: libvolact parses what they return and decides what to call; this file only moves
// text, and turns every exception into a target error (never into a crash of the native
// caller).
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Volact
{
    /// <summary>
    /// One Windows machine, as the embedding product reaches it (WMI/CIM
    /// <c>SoftwareLicensingService</c> and <c>SoftwareLicensingProduct</c>, its own agent, a
    /// simulation): the core's <c>ActivationTarget</c>. libvolact calls it on the calling
    /// thread, during the <see cref="Workflow"/> call it was given to.
    /// </summary>
    /// <remarks>
    /// A method reports a failure by throwing <see cref="ActivationTargetException"/> (kind,
    /// HRESULT, text); any other exception counts as <see cref="TargetErrorKind.Other"/> with
    /// its message. Either way the failure is recorded against this machine and the workflow
    /// goes on with the others.
    /// </remarks>
    public interface IActivationTarget
    {
        /// <summary>
        /// The machine as JSON: <c>{"name", "network_type": "Domain"|"Workgroup",
        /// "network_name", "os_version", "mac_addresses": [...]}</c>.
        /// </summary>
        string MachineJson();

        /// <summary>
        /// The products with a key installed, a JSON array of <c>{"activation_id",
        /// "application_id", "name", "family", "edition_id", "channel"</c> (e.g.
        /// <c>"Volume:MAK"</c>)<c>, "license_status"</c> (0–6)<c>, "grace_remaining"</c>
        /// (minutes)<c>, "installation_id", "product_key_id", "partial_product_key"}</c> (the
        /// last three may be null).
        /// </summary>
        string ProductsJson();

        /// <summary>Installs the key (<c>slmgr /ipk</c>): the one place it leaves volact in clear. Do not keep it.</summary>
        void InstallProductKey(string key);

        /// <summary>Activates a product online (<c>slmgr /ato ActID</c>).</summary>
        void Activate(string activationId);

        /// <summary>Deposits the CID issued for the IID (<c>slmgr /atp CID ActID</c>).</summary>
        void DepositConfirmationId(string activationId, string installationId, string confirmationId);

        /// <summary>Sets the KMS host (<c>host</c>, <c>host:port</c>, <c>[v6]:port</c>, <c>:port</c>), or clears it when null.</summary>
        void SetKmsHost(string host);

        /// <summary>Sets the SRV lookup domain, or clears it when null.</summary>
        void SetKmsLookupDomain(string domain);

        /// <summary>Enables (<c>/skhc</c>) or disables (<c>/ckhc</c>) KMS host caching.</summary>
        void SetHostCaching(bool enabled);

        /// <summary>
        /// A licensing registry value by name (e.g. <c>AlternateURL</c>): its data as JSON
        /// (<c>{"String":"..."}</c>, <c>{"MultiString":[...]}</c>, <c>{"Dword":1}</c>), or null
        /// when it is not set.
        /// </summary>
        string ReadValue(string name);

        /// <summary>Writes a licensing registry value (data as JSON, as above), or deletes it when null.</summary>
        void WriteValue(string name, string dataJson);
    }

    /// <summary>
    /// A supplier of Confirmation IDs (the organization's licensed service, VAMT on an
    /// Internet-connected host, the phone): the core's <c>ConfirmationIdSource</c>. volact never
    /// makes a CID.
    /// </summary>
    public interface IConfirmationIdSource
    {
        /// <summary>
        /// The CID for an Installation ID (any grouping), or null when the source has none.
        /// <paramref name="productKeyId"/> and <paramref name="skuId"/> are empty when the CIL
        /// holds none. Throw <see cref="ConfirmationIdRefusedException"/> when the service refused.
        /// </summary>
        string ConfirmationId(string installationId, string productKeyId, string skuId);
    }

    /// <summary>
    /// The callback tables. The delegates are static, so they outlive every call; each call
    /// pins its targets with GCHandles (the tables' <c>user</c>) and frees them when it returns.
    /// </summary>
    internal static class Callbacks
    {
        private static readonly int KindOffset = Marshal.OffsetOf(typeof(NativeMethods.volact_target_error), "kind").ToInt32();
        private static readonly int CodeOffset = Marshal.OffsetOf(typeof(NativeMethods.volact_target_error), "code").ToInt32();
        private static readonly int DetailOffset = Marshal.OffsetOf(typeof(NativeMethods.volact_target_error), "detail").ToInt32();
        private static readonly int RefusalCodeOffset = Marshal.OffsetOf(typeof(NativeMethods.volact_cid_refusal), "code").ToInt32();
        private static readonly int RefusalDetailOffset = Marshal.OffsetOf(typeof(NativeMethods.volact_cid_refusal), "detail").ToInt32();

        private static readonly NativeMethods.SinkCallback MachineJson =
            (user, sink, err) => Guard(user, err, t => Write(sink, t.MachineJson()));
        private static readonly NativeMethods.SinkCallback ProductsJson =
            (user, sink, err) => Guard(user, err, t => Write(sink, t.ProductsJson()));
        private static readonly NativeMethods.TextCallback InstallProductKey =
            (user, key, len, err) => Guard(user, err, t => t.InstallProductKey(Text(key, len)));
        private static readonly NativeMethods.TextCallback Activate =
            (user, id, len, err) => Guard(user, err, t => t.Activate(Text(id, len)));
        private static readonly NativeMethods.DepositCallback Deposit =
            (user, a, al, i, il, c, cl, err) => Guard(user, err, t => t.DepositConfirmationId(Text(a, al), Text(i, il), Text(c, cl)));
        private static readonly NativeMethods.TextCallback SetKmsHost =
            (user, host, len, err) => Guard(user, err, t => t.SetKmsHost(Text(host, len)));
        private static readonly NativeMethods.TextCallback SetKmsLookupDomain =
            (user, domain, len, err) => Guard(user, err, t => t.SetKmsLookupDomain(Text(domain, len)));
        private static readonly NativeMethods.BoolCallback SetHostCaching =
            (user, enabled, err) => Guard(user, err, t => t.SetHostCaching(enabled));
        private static readonly NativeMethods.ReadValueCallback ReadValue =
            (user, name, len, sink, err) => Guard(user, err, t => Write(sink, t.ReadValue(Text(name, len))));
        private static readonly NativeMethods.WriteValueCallback WriteValue =
            (user, name, len, data, dataLen, err) => Guard(user, err, t => t.WriteValue(Text(name, len), Text(data, dataLen)));
        private static readonly NativeMethods.CidCallback ConfirmationId = AnswerCid;

        private static readonly NativeMethods.volact_target_vtable TargetTemplate = new NativeMethods.volact_target_vtable
        {
            machine_json = Marshal.GetFunctionPointerForDelegate(MachineJson),
            products_json = Marshal.GetFunctionPointerForDelegate(ProductsJson),
            install_product_key = Marshal.GetFunctionPointerForDelegate(InstallProductKey),
            activate = Marshal.GetFunctionPointerForDelegate(Activate),
            deposit_confirmation_id = Marshal.GetFunctionPointerForDelegate(Deposit),
            set_kms_host = Marshal.GetFunctionPointerForDelegate(SetKmsHost),
            set_kms_lookup_domain = Marshal.GetFunctionPointerForDelegate(SetKmsLookupDomain),
            set_host_caching = Marshal.GetFunctionPointerForDelegate(SetHostCaching),
            read_value = Marshal.GetFunctionPointerForDelegate(ReadValue),
            write_value = Marshal.GetFunctionPointerForDelegate(WriteValue),
        };

        private static readonly IntPtr ConfirmationIdPointer = Marshal.GetFunctionPointerForDelegate(ConfirmationId);

        /// <summary>One table per target, each with a GCHandle to it as <c>user</c>; free them with <see cref="Free"/>.</summary>
        internal static NativeMethods.volact_target_vtable[] Tables(System.Collections.Generic.IList<IActivationTarget> targets, GCHandle[] pins)
        {
            var tables = new NativeMethods.volact_target_vtable[Math.Max(targets.Count, 1)];
            for (int i = 0; i < targets.Count; i++)
            {
                if (targets[i] == null)
                {
                    throw new ArgumentException("targets[" + i + "] is null", "targets");
                }
                pins[i] = GCHandle.Alloc(targets[i]);
                tables[i] = TargetTemplate;
                tables[i].user = GCHandle.ToIntPtr(pins[i]);
            }
            return tables;
        }

        internal static NativeMethods.volact_cid_source_vtable Source(GCHandle pin)
        {
            return new NativeMethods.volact_cid_source_vtable
            {
                user = GCHandle.ToIntPtr(pin),
                confirmation_id = ConfirmationIdPointer,
            };
        }

        internal static void Free(GCHandle[] pins)
        {
            foreach (GCHandle pin in pins)
            {
                if (pin.IsAllocated)
                {
                    pin.Free();
                }
            }
        }

        // Runs one operation on the target behind `user`; 0, or the error written to `err`
        // and 1. Nothing escapes: an exception crossing into native code would tear down the
        // process (or worse, unwind through Rust frames).
        private static int Guard(IntPtr user, IntPtr err, Action<IActivationTarget> body)
        {
            try
            {
                body((IActivationTarget)GCHandle.FromIntPtr(user).Target);
                return 0;
            }
            catch (ActivationTargetException e)
            {
                return Fail(err, (uint)e.Kind, e.Code, e.Message);
            }
            catch (Exception e)
            {
                return Fail(err, (uint)TargetErrorKind.Other, 0, e.GetType().Name + ": " + e.Message);
            }
        }

        private static int Fail(IntPtr err, uint kind, uint code, string detail)
        {
            try
            {
                Marshal.WriteInt32(err, KindOffset, unchecked((int)kind));
                Marshal.WriteInt32(err, CodeOffset, unchecked((int)code));
                WriteDetail(IntPtr.Add(err, DetailOffset), detail);
            }
            catch (Exception)
            {
                // The struct stays as volact set it: kind other, no detail.
            }
            return 1;
        }

        private static int AnswerCid(IntPtr user, IntPtr iid, UIntPtr iidLen, IntPtr pkid, UIntPtr pkidLen,
            IntPtr sku, UIntPtr skuLen, IntPtr sink, IntPtr refusal)
        {
            uint code = 0;
            string detail;
            try
            {
                var source = (IConfirmationIdSource)GCHandle.FromIntPtr(user).Target;
                Write(sink, source.ConfirmationId(Text(iid, iidLen), Text(pkid, pkidLen) ?? "", Text(sku, skuLen) ?? ""));
                return 0;
            }
            catch (ConfirmationIdRefusedException e)
            {
                code = e.Code;
                detail = e.Message;
            }
            catch (Exception e)
            {
                detail = e.GetType().Name + ": " + e.Message;
            }
            try
            {
                Marshal.WriteInt32(refusal, RefusalCodeOffset, unchecked((int)code));
                WriteDetail(IntPtr.Add(refusal, RefusalDetailOffset), detail);
            }
            catch (Exception)
            {
                // Refused with code 0 and no detail.
            }
            return 1;
        }

        // UTF-8 text volact passed, or null for NULL.
        private static string Text(IntPtr text, UIntPtr len)
        {
            if (text == IntPtr.Zero)
            {
                return null;
            }
            var bytes = new byte[checked((int)len.ToUInt64())];
            Marshal.Copy(text, bytes, 0, bytes.Length);
            try
            {
                return Encoding.UTF8.GetString(bytes);
            }
            finally
            {
                // One of these texts is a key.
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        // Appends text to the sink volact gave the callback; null writes nothing.
        private static void Write(IntPtr sink, string text)
        {
            if (text == null)
            {
                return;
            }
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            VolactResult r = NativeMethods.volact_sink_write(sink, bytes, len);
            if (r != VolactResult.Ok)
            {
                throw VolactException.Create(r, Interop.LastErrorMessage(r));
            }
        }

        // A detail[256] field: UTF-8, cut at a character boundary, NUL-terminated.
        private static void WriteDetail(IntPtr field, string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text ?? "");
            int n = Math.Min(bytes.Length, NativeMethods.VOLACT_DETAIL_LEN - 1);
            while (n > 0 && n < bytes.Length && (bytes[n] & 0xC0) == 0x80)
            {
                n--;
            }
            Marshal.Copy(bytes, 0, field, n);
            Marshal.WriteByte(field, n, 0);
        }
    }
}
