// The workflows of `volact plan` / `volact proxy` (volact_workflow_*): survey, plan, render,
// run, the full CIL, CID acquisition, the proxy steps. No logic: every decision is the Rust
// core's; this class marshals text and handles, and lends the targets to libvolact for the
// duration of a call (see Callbacks in ActivationTarget.cs).
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Volact
{
    /// <summary>
    /// VAMT's operations as plans of per-machine actions, run against machines the embedder
    /// implements (<see cref="IActivationTarget"/>). Surveys, plans and runs are JSON texts
    /// (save a run between steps; it is the run's state); the key is named by the
    /// <see cref="MakStore"/> entry and reaches only <see cref="IActivationTarget.InstallProductKey"/>.
    /// </summary>
    /// <example><code>
    /// var lab = new List&lt;IActivationTarget&gt; { pc01, pc02, home };
    /// string survey = Workflow.Survey(lab);
    /// string plan = Workflow.Plan("mak-independent", survey, store, "6Q83G");
    /// Console.WriteLine(Workflow.Render(plan, "slmgr"));        // never the key
    /// string run = Workflow.RunExecute(Workflow.RunNew(plan), store, "6Q83G", lab);
    /// File.WriteAllText("run.json", run);                        // resume from it later
    /// </code></example>
    public static class Workflow
    {
        private const int JsonCapacity = 16384;

        /// <summary>The plan kinds <see cref="Plan"/> takes.</summary>
        public static readonly string[] PlanKinds =
        {
            "preflight", "mak-independent", "proxy-install", "proxy-apply", "reapply",
            "kms-configure", "kms-deploy", "convert-to-mak",
        };

        /// <summary>
        /// VAMT's "Refresh Computer Status": asks each target for its machine and products and
        /// returns the survey JSON, one entry per target: <c>{"machine", "products"}</c>, or
        /// <c>{"error": {"kind", "detail"...}}</c> for a target that threw.
        /// </summary>
        public static string Survey(IList<IActivationTarget> targets)
        {
            if (targets == null)
            {
                throw new ArgumentNullException("targets");
            }
            var pins = new GCHandle[targets.Count];
            try
            {
                NativeMethods.volact_target_vtable[] tables = Callbacks.Tables(targets, pins);
                UIntPtr n;
                // The targets are called once per call; the JSON is read afterwards.
                Interop.Check(NativeMethods.volact_workflow_survey(
                    tables, new UIntPtr((uint)targets.Count), null, UIntPtr.Zero, out n));
            }
            finally
            {
                Callbacks.Free(pins);
            }
            return LastOutput();
        }

        /// <summary>
        /// Builds a plan from a survey and returns its JSON. <paramref name="kind"/> is one of
        /// <see cref="PlanKinds"/>; each reads what it needs: <paramref name="store"/> and
        /// <paramref name="makSelector"/> (mak-independent, proxy-install, reapply,
        /// convert-to-mak: the MAK to install; kms-deploy: the CSVLK), <paramref name="cil"/>
        /// (proxy-apply: the merged CIL; reapply: the saved one), <paramref name="kmsHosts"/>
        /// (preflight: <c>host[:port]</c>, separated by commas or spaces),
        /// <paramref name="exactIid"/> (reapply), <paramref name="optionsJson"/> (kms-configure:
        /// the client settings, every field optional, e.g. <c>{"discovery": "auto",
        /// "host_caching": false, "alternate_url": "http://contoso.com/help"}</c>; null: the
        /// published GVLK, auto-discovery, activation. kms-deploy, required: <c>{"topology":
        /// TOML text, "group": "server2022", "serves": ["windows10"], "security_groups":
        /// {"east.contoso.com": "KMS_E"}}</c>). Machines a step does not apply to carry
        /// <c>"skipped": {"rule", "reason"}</c> (e.g. <c>mak-on-retail-edition</c>, <c>no-gvlk</c>,
        /// <c>not-kms-client</c>).
        /// </summary>
        /// <exception cref="WorkflowException">An unknown kind, a missing input, a deployment
        /// volact refuses (a CSVLK group that does not cover the clients served, more than six
        /// hosts) (<see cref="VolactResult.WorkflowInput"/>); a survey or options that are not
        /// JSON of the right shape (<see cref="VolactResult.WorkflowJson"/>).</exception>
        /// <exception cref="MakStoreException">The selector matches several keys.</exception>
        /// <exception cref="VolactException"><see cref="VolactResult.NotFound"/>: no key matches the selector.</exception>
        public static string Plan(string kind, string surveyJson, MakStore store = null, string makSelector = null,
            CilDocument cil = null, string kmsHosts = null, bool exactIid = true, string optionsJson = null)
        {
            UIntPtr kindLen, surveyLen, selectorLen, hostsLen, optionsLen;
            byte[] k = Interop.Utf8(kind, "kind", out kindLen);
            byte[] s = Interop.Utf8(surveyJson, "surveyJson", out surveyLen);
            byte[] sel = Interop.Utf8(makSelector ?? "", "makSelector", out selectorLen);
            byte[] hosts = Interop.Utf8(kmsHosts ?? "", "kmsHosts", out hostsLen);
            byte[] options = Interop.Utf8(optionsJson ?? "", "optionsJson", out optionsLen);
            SafeHandle storeHandle = store == null ? null : store.Handle;
            SafeHandle cilHandle = cil == null ? null : cil.Handle;
            bool storeAdded = false, cilAdded = false;
            try
            {
                IntPtr rawStore = AddRef(storeHandle, ref storeAdded);
                IntPtr rawCil = AddRef(cilHandle, ref cilAdded);
                return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                    NativeMethods.volact_workflow_plan(k, kindLen, s, surveyLen, rawStore, sel, selectorLen,
                        rawCil, hosts, hostsLen, exactIid, options, optionsLen, b, l, out n), JsonCapacity);
            }
            finally
            {
                if (storeAdded)
                {
                    storeHandle.DangerousRelease();
                }
                if (cilAdded)
                {
                    cilHandle.DangerousRelease();
                }
            }
        }

        /// <summary>
        /// Renders a plan as <c>slmgr</c> (a <c>.cmd</c> of <c>cscript slmgr.vbs</c> lines),
        /// <c>powershell</c> (CIM sessions) or <c>json</c>. An install reads the key from
        /// <c>%VOLACT_KEY%</c> / <c>$env:VOLACT_KEY</c>: a rendering never holds it.
        /// </summary>
        /// <exception cref="WorkflowException">An unknown format, or a plan that is not one.</exception>
        public static string Render(string planJson, string format)
        {
            UIntPtr planLen, formatLen;
            byte[] p = Interop.Utf8(planJson, "planJson", out planLen);
            byte[] f = Interop.Utf8(format, "format", out formatLen);
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_workflow_render(p, planLen, f, formatLen, b, l, out n), JsonCapacity);
        }

        /// <summary>
        /// The online activations a saved run has made (each uses one activation of the MAK):
        /// pass it to <see cref="MakStore.RecordActivations"/>.
        /// </summary>
        /// <exception cref="WorkflowException">A run that is not one.</exception>
        public static uint OnlineActivations(string runJson)
        {
            UIntPtr len;
            byte[] r = Interop.Utf8(runJson, "runJson", out len);
            uint n;
            Interop.Check(NativeMethods.volact_workflow_online_activations(r, len, out n));
            return n;
        }

        /// <summary>
        /// A new run of a plan, as JSON: the plan and each machine's progress
        /// (<c>"state": "pending"|"done"|"failed"|"skipped"</c>). Save it between steps.
        /// </summary>
        /// <exception cref="WorkflowException">A plan that is not one.</exception>
        public static string RunNew(string planJson)
        {
            UIntPtr planLen;
            byte[] p = Interop.Utf8(planJson, "planJson", out planLen);
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_workflow_run_new(p, planLen, b, l, out n), JsonCapacity);
        }

        /// <summary>
        /// Runs a saved run's pending actions (and retries failed ones) on the targets the plan
        /// was built from, in the same order, and returns the updated run's JSON. A machine
        /// stops at its first failure (<c>"state": "failed"</c> with the error's kind, code and
        /// text: what its target threw); the others go on. <paramref name="store"/> and
        /// <paramref name="makSelector"/> name the key the plan installs (null when it installs none).
        /// </summary>
        /// <exception cref="WorkflowException">A run that is not one, fewer targets than its machines
        /// (nothing was called).</exception>
        public static string RunExecute(string runJson, MakStore store, string makSelector, IList<IActivationTarget> targets)
        {
            if (targets == null)
            {
                throw new ArgumentNullException("targets");
            }
            UIntPtr runLen, selectorLen;
            byte[] r = Interop.Utf8(runJson, "runJson", out runLen);
            byte[] sel = Interop.Utf8(makSelector ?? "", "makSelector", out selectorLen);
            SafeHandle storeHandle = store == null ? null : store.Handle;
            bool storeAdded = false;
            var pins = new GCHandle[targets.Count];
            try
            {
                IntPtr rawStore = AddRef(storeHandle, ref storeAdded);
                NativeMethods.volact_target_vtable[] tables = Callbacks.Tables(targets, pins);
                UIntPtr n;
                // The targets are called once per call (keys installed, products activated):
                // never repeated to size a buffer; the JSON is read afterwards.
                Interop.Check(NativeMethods.volact_workflow_run_execute(
                    r, runLen, rawStore, sel, selectorLen, tables, new UIntPtr((uint)targets.Count),
                    null, UIntPtr.Zero, out n));
            }
            finally
            {
                Callbacks.Free(pins);
                if (storeAdded)
                {
                    storeHandle.DangerousRelease();
                }
            }
            return LastOutput();
        }

        /// <summary>
        /// Proxy steps 3 and 6: the full CIL of a survey's machines in <paramref name="group"/>
        /// (the seed's "Isolated Lab Group"; empty: none), as a new document (dispose it).
        /// <paramref name="leftOutJson"/> lists the machines that did not answer
        /// (<c>[{"rule": "unreachable", "reason"}]</c>).
        /// </summary>
        /// <exception cref="WorkflowException">A survey that is not one.</exception>
        public static CilDocument CollectCil(string surveyJson, string group, out string leftOutJson)
        {
            UIntPtr surveyLen, groupLen;
            byte[] s = Interop.Utf8(surveyJson, "surveyJson", out surveyLen);
            byte[] g = Interop.Utf8(group ?? "", "group", out groupLen);
            IntPtr raw = IntPtr.Zero;
            try
            {
                // Nothing is called back: a short buffer creates nothing and the call is repeated.
                leftOutJson = Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                {
                    IntPtr created;
                    VolactResult result = NativeMethods.volact_workflow_collect_cil(
                        s, surveyLen, g, groupLen, out created, b, l, out n);
                    if (result == VolactResult.Ok)
                    {
                        raw = created;
                    }
                    return result;
                });
                CilDocument doc = CilDocument.FromRaw(raw);
                raw = IntPtr.Zero;
                return doc;
            }
            finally
            {
                if (raw != IntPtr.Zero)
                {
                    NativeMethods.volact_cil_free(raw);
                }
            }
        }

        /// <summary>
        /// Proxy step 9: asks <paramref name="source"/> for a CID for every product of
        /// <paramref name="cil"/> with an IID and no CID, writes each valid answer into its
        /// <c>PendingConfirmationId</c> (the document changes) and returns the report JSON
        /// (<c>{"rows": [{"computer", "product", "computer_id", "outcome", ...}]}</c>, outcomes
        /// <c>written</c>, <c>already_has_cid</c>, <c>refused</c> with <c>code</c> and
        /// <c>detail</c>, <c>not_available</c>, <c>invalid_cid</c>, <c>invalid_iid</c>).
        /// </summary>
        public static string Acquire(CilDocument cil, IConfirmationIdSource source)
        {
            if (cil == null)
            {
                throw new ArgumentNullException("cil");
            }
            if (source == null)
            {
                throw new ArgumentNullException("source");
            }
            GCHandle pin = GCHandle.Alloc(source);
            try
            {
                NativeMethods.volact_cid_source_vtable table = Callbacks.Source(pin);
                UIntPtr n;
                // The source is asked once per call; the report is kept on the document.
                Interop.Check(NativeMethods.volact_workflow_acquire(cil.Handle, ref table, null, UIntPtr.Zero, out n));
            }
            finally
            {
                pin.Free();
            }
            return cil.LastReport();
        }

        /// <summary>
        /// The PowerShell collection script: run on a machine, it prints one survey entry for
        /// it (the JSON <see cref="Plan"/> reads), for agents that run scripts rather than
        /// implement <see cref="IActivationTarget"/>.
        /// </summary>
        public static string CollectScript()
        {
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_workflow_collect_script(b, l, out n), JsonCapacity);
        }

        /// <summary>
        /// The seed's 13 MAK proxy activation steps as a JSON array of <c>{"number", "title",
        /// "runs_on": "lab"|"internet", "volact", "note"}</c>.
        /// </summary>
        public static string ProxySteps()
        {
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_workflow_proxy_steps(b, l, out n), JsonCapacity);
        }

        // The JSON of the survey or run just made on this thread (P/Invoke runs on the
        // calling thread, and libvolact keeps it per thread).
        private static string LastOutput()
        {
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_workflow_last_output(b, l, out n), JsonCapacity);
        }

        private static IntPtr AddRef(SafeHandle handle, ref bool added)
        {
            if (handle == null)
            {
                return IntPtr.Zero;
            }
            handle.DangerousAddRef(ref added);
            return handle.DangerousGetHandle();
        }
    }
}
