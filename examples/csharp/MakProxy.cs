// MakProxy: MAK proxy activation of an isolated lab with libvolact's workflows, on three fake
// machines implemented in C# (IActivationTarget) and a fake Confirmation ID source
// (IConfirmationIdSource). It walks the seed's steps 5 (install the MAK, no activation),
// 6 (save the CIL), 9 (Confirmation IDs for the CIL's IIDs) and 12 (deposit them).
//
//   mono MakProxy.exe [LAB.cil]
//
// With a path, step 6's CIL (with step 9's CIDs) is saved there. Exit status: 0 on success,
// 1 when a call fails, 2 on bad usage.
//
// In a real deployment the targets would call WMI (SoftwareLicensingService and
// SoftwareLicensingProduct) on each machine, and the source would be the organization's own
// way of getting CIDs from Microsoft (VAMT on an Internet-connected host, or the phone). The
// fakes' IIDs and CIDs are fictitious digits with valid mod-7 check digits; they mean nothing
// to Windows. volact never makes a CID.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Volact;

public static class MakProxyExample
{
    // The MAK of this example: a fictitious test key (group 3892, serial 1), declared a MAK.
    private const string Mak = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
    // The Activation ID of the edition the MAK is for (made up).
    private const string MakSku = "0b1c4a5e-0000-4000-8000-000000000001";

    // A fake lab machine with one Windows product.
    private sealed class Machine : IActivationTarget
    {
        internal readonly string Name;
        private readonly string edition;
        private readonly string sku;
        private uint seed;
        internal string Channel = "Retail";
        internal int Status = 5;   // Notification
        internal string Iid;

        internal Machine(string name, string edition, string sku, uint seed)
        {
            Name = name;
            this.edition = edition;
            this.sku = sku;
            this.seed = seed;
            Iid = FakeId(seed, 9, 7);
        }

        public string MachineJson()
        {
            return "{\"name\":\"" + Name + "\",\"network_type\":\"Workgroup\",\"network_name\":\"ISOLATED\"," +
                   "\"os_version\":\"10.0.22631\",\"mac_addresses\":[]}";
        }

        public string ProductsJson()
        {
            return "[{\"activation_id\":\"" + sku + "\",\"application_id\":\"55c92734-d682-4d71-983e-d6ec3f16059f\"," +
                   "\"name\":\"Windows(R), " + edition + " edition\",\"family\":\"Windows 11\",\"edition_id\":\"" + edition + "\"," +
                   "\"channel\":\"" + Channel + "\",\"license_status\":" + Status + ",\"grace_remaining\":0," +
                   "\"installation_id\":\"" + Iid + "\",\"product_key_id\":null,\"partial_product_key\":null}]";
        }

        // slmgr /ipk: the key's only way out of volact. The fake keeps nothing of it.
        public void InstallProductKey(string key)
        {
            Channel = "Volume:MAK";
            seed += 1000;   // a new key gives a new IID
            Iid = FakeId(seed, 9, 7);
        }

        public void Activate(string activationId)
        {
            throw new ActivationTargetException(TargetErrorKind.Unreachable, "the lab has no Internet");
        }

        // slmgr /atp: accepted when it is the CID the source issued for this machine's IID.
        public void DepositConfirmationId(string activationId, string installationId, string confirmationId)
        {
            if (Digits(installationId) != Digits(Iid) || Digits(confirmationId) != Digits(CidFor(installationId)))
            {
                throw new ActivationTargetException(TargetErrorKind.Licensing, 0xC004F04D, "offline activation failed");
            }
            Status = 1;
        }

        public void SetKmsHost(string host) { throw new NotSupportedException(); }
        public void SetKmsLookupDomain(string domain) { throw new NotSupportedException(); }
        public void SetHostCaching(bool enabled) { throw new NotSupportedException(); }
        public string ReadValue(string name) { return null; }
        public void WriteValue(string name, string dataJson) { throw new NotSupportedException(); }
    }

    // Answers for the MAK's product only; nothing for anything else (the retail machine).
    private sealed class Source : IConfirmationIdSource
    {
        internal int Asked;

        public string ConfirmationId(string installationId, string productKeyId, string skuId)
        {
            Asked++;
            return skuId == MakSku ? CidFor(installationId) : null;
        }
    }

    private static string FakeId(uint seed, int groups, int groupLen)
    {
        uint x = unchecked(seed * 2654435761u + 12345u);
        var sb = new StringBuilder();
        for (int g = 0; g < groups; g++)
        {
            int sum = 0;
            for (int i = 0; i < groupLen - 1; i++)
            {
                x = unchecked(x * 1103515245u + 12345u);
                int d = (int)((x >> 16) % 10);
                sum += d * (i % 2 == 0 ? 1 : 2);
                sb.Append((char)('0' + d));
            }
            sb.Append((char)('0' + sum % 7));
            if (g + 1 < groups)
            {
                sb.Append('-');
            }
        }
        return sb.ToString();
    }

    private static string Digits(string id)
    {
        return new string(id.Where(char.IsDigit).ToArray());
    }

    private static string CidFor(string iid)
    {
        uint h = 2166136261u;
        foreach (char c in Digits(iid))
        {
            h = unchecked((h ^ c) * 16777619u);
        }
        return FakeId(h, 8, 6);
    }

    private static int Count(string text, string needle)
    {
        int n = 0;
        for (int at = text.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = text.IndexOf(needle, at + 1, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }

    // The seed's title of a step, from the proxy steps' JSON.
    private static string Title(string steps, int number)
    {
        int at = steps.IndexOf("\"number\": " + number + ",", StringComparison.Ordinal);
        int title = at < 0 ? -1 : steps.IndexOf("\"title\": \"", at, StringComparison.Ordinal);
        if (title < 0)
        {
            return "";
        }
        title += "\"title\": \"".Length;
        return steps.Substring(title, steps.IndexOf('"', title) - title);
    }

    // Survey, plan, show the plan as slmgr lines, run it: the run's JSON.
    private static string PlanAndRun(List<IActivationTarget> lab, string kind, MakStore store, string selector, CilDocument cil)
    {
        string plan = Workflow.Plan(kind, Workflow.Survey(lab), store, selector, cil);
        Console.WriteLine("  the plan, as slmgr.vbs lines:");
        foreach (string line in Workflow.Render(plan, "slmgr").Split('\n').Where(l => l.Length > 0 && l != "@echo off"))
        {
            Console.WriteLine("    " + line);
        }
        return Workflow.RunExecute(Workflow.RunNew(plan), store, selector, lab);
    }

    public static int Main(string[] args)
    {
        if (args.Length > 1)
        {
            Console.Error.WriteLine("usage: MakProxy [LAB.cil]");
            return 2;
        }
        var machines = new[]
        {
            new Machine("LAB-PC01", "Professional", MakSku, 1),
            new Machine("LAB-PC02", "Professional", MakSku, 2),
            new Machine("LAB-HOME", "Core", "0b1c4a5e-0000-4000-8000-000000000002", 3),
        };
        var lab = machines.Cast<IActivationTarget>().ToList();
        try
        {
            using (var store = new MakStore())
            {
                store.Add(Mak, null, KeyKind.Mak, "Isolated lab MAK", 0);
                string steps = Workflow.ProxySteps();

                Console.WriteLine("\nstep 5: " + Title(steps, 5));
                PlanAndRun(lab, "proxy-install", store, "6Q83G", null);
                foreach (Machine m in machines)
                {
                    Console.WriteLine("  " + m.Name + ": " + m.Channel + ", IID " + m.Iid);
                }

                Console.WriteLine("\nstep 6: " + Title(steps, 6));
                string left;
                using (CilDocument cil = Workflow.CollectCil(Workflow.Survey(lab), "Isolated Lab Group", out left))
                {
                    Console.WriteLine("  " + cil.Summary.Computers + " computers, " + cil.Summary.WithInstallationId + " Installation IDs");

                    Console.WriteLine("\nstep 9: " + Title(steps, 9));
                    var source = new Source();
                    string report = Workflow.Acquire(cil, source);
                    Console.WriteLine("  the source was asked " + source.Asked + " times: " +
                                      Count(report, "\"outcome\":\"written\"") + " CIDs written, " +
                                      Count(report, "\"outcome\":\"not_available\"") + " not available");
                    if (args.Length == 1)
                    {
                        cil.Save(args[0]);
                        Console.WriteLine("  saved " + args[0]);
                    }

                    Console.WriteLine("\nstep 12: " + Title(steps, 12));
                    PlanAndRun(lab, "proxy-apply", null, null, cil);
                    foreach (Machine m in machines)
                    {
                        Console.WriteLine("  " + m.Name + ": LicenseStatus " + m.Status + (m.Status == 1 ? " (licensed)" : " (not activated)"));
                    }
                }
            }
        }
        catch (VolactException ex)
        {
            Console.Error.WriteLine("failed (" + ex.Code + "): " + ex.Message);
            return 1;
        }
        return 0;
    }
}
