// KmsDeploy: the KMS workflows of libvolact on fake machines implemented in C#
// (IActivationTarget):
//
// 1. kms-deploy of a topology (the seed's global network, examples/kms/contoso-global.toml) on
//    four KMS hosts (Windows Server 2022 Datacenter) with a CSVLK from a MakStore. The run
//    stops after the first host: its activation publishes the _vlmcs._tcp records, and the
//    run's "waiting" field names the grants to give the hosts' security groups on them.
//    Running the saved run again (after the grants) activates the other hosts. Each host's
//    DnsDomainPublishList is printed as the fake received it through WriteValue.
// 2. kms-configure with the seed's Table 6 (DNS auto-discovery, host caching off, a help-desk
//    AlternateURL) on two clients: the Windows 11 Core one is skipped (rule no-gvlk) before
//    anything is installed; the Windows 11 Enterprise one gets the published GVLK.
//
//   mono KmsDeploy.exe TOPOLOGY.toml
//
// Exit status: 0 on success, 1 when a call fails (e.g. an invalid topology), 2 on bad usage
// or an unreadable file.
//
// In a real deployment the targets would call WMI (SoftwareLicensingService and
// SoftwareLicensingProduct) and the licensing registry on each machine. The CSVLK is a
// fictitious test key declared a CSVLK; it is printed masked only. GVLKs are Microsoft's
// published KMS client setup keys and are printed in full. The Activation IDs are made up.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Volact;

public static class KmsDeployExample
{
    // The KMS host key of this example: a fictitious test key (group 3892, serial 1), declared
    // a CSVLK (volact never guesses a key's type).
    private const string Csvlk = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
    private const string HelpUrl = "http://contoso.com/help";
    // The seed's Table 6 for the clients.
    private const string Table6 = "{\"discovery\":\"auto\",\"host_caching\":false,\"alternate_url\":\"" + HelpUrl + "\"}";

    // A fake domain machine with one Windows product, recording what it received.
    private sealed class Machine : IActivationTarget
    {
        internal readonly string Name;
        private readonly string family;
        private readonly string edition;
        private readonly string sku;
        internal string Channel = "Retail";
        internal int Status = 2;   // OOBGrace
        internal readonly List<string> Calls = new List<string>();
        internal string KeyShown;        // a published GVLK in full, any other key masked
        internal bool? HostCaching;
        internal string KmsHost;         // null: untouched
        internal string LookupDomain;    // null: untouched
        internal string PublishList;     // DnsDomainPublishList as written, "a, 10, 75 | b, 90, 75"
        internal string AlternateUrl;

        internal Machine(string name, string family, string edition, string sku)
        {
            Name = name;
            this.family = family;
            this.edition = edition;
            this.sku = sku;
        }

        public string MachineJson()
        {
            return "{\"name\":\"" + Name + "\",\"network_type\":\"Domain\",\"network_name\":\"contoso.com\"," +
                   "\"os_version\":\"10.0.20348\",\"mac_addresses\":[]}";
        }

        public string ProductsJson()
        {
            return "[{\"activation_id\":\"" + sku + "\",\"application_id\":\"55c92734-d682-4d71-983e-d6ec3f16059f\"," +
                   "\"name\":\"Windows(R), " + edition + " edition\",\"family\":\"" + family + "\",\"edition_id\":\"" + edition + "\"," +
                   "\"channel\":\"" + Channel + "\",\"license_status\":" + Status + ",\"grace_remaining\":43200," +
                   "\"installation_id\":null,\"product_key_id\":null,\"partial_product_key\":null}]";
        }

        // slmgr /ipk: the key's only way out of volact. The fake keeps it as shown: a published
        // GVLK (Microsoft's own, public) in full, any other key masked.
        public void InstallProductKey(string key)
        {
            using (ProductKey parsed = ProductKey.Parse(key))
            {
                bool gvlk = parsed.Channel == "Volume:GVLK";
                KeyShown = gvlk ? key : parsed.Masked;
                // A KMS host key makes the host a KMS host; a GVLK makes the machine a KMS client.
                Channel = gvlk ? "Volume:GVLK" : "Volume:CSVLK";
            }
            Calls.Add("/ipk " + KeyShown);
        }

        public void Activate(string activationId)
        {
            if (activationId != sku)
            {
                throw new ActivationTargetException(TargetErrorKind.NoSuchProduct, "no product " + activationId);
            }
            Calls.Add("/ato");
            Status = 1;
        }

        public void DepositConfirmationId(string activationId, string installationId, string confirmationId)
        {
            throw new NotSupportedException();
        }

        public void SetKmsHost(string host)
        {
            Calls.Add(host == null ? "/ckms" : "/skms " + host);
            KmsHost = host ?? "cleared (DNS auto-discovery)";
        }

        public void SetKmsLookupDomain(string domain)
        {
            Calls.Add(domain == null ? "/ckms-domain" : "/skms-domain " + domain);
            LookupDomain = domain ?? "cleared";
        }

        public void SetHostCaching(bool enabled)
        {
            Calls.Add(enabled ? "/skhc" : "/ckhc");
            HostCaching = enabled;
        }

        // Nothing is set on these fresh machines.
        public string ReadValue(string name)
        {
            return null;
        }

        // A licensing registry value, its data as JSON: {"MultiString":[...]}, {"String":"..."}.
        public void WriteValue(string name, string dataJson)
        {
            Calls.Add("reg " + name);
            if (name == "DnsDomainPublishList")
            {
                PublishList = string.Join(" | ", Strings(dataJson, "MultiString"));
            }
            else if (name == "AlternateURL")
            {
                AlternateUrl = Field(dataJson, "String");
            }
        }
    }

    // --- a little JSON reading (volact's JSON; enough for strings and string arrays) ---------

    private const string JsonString = "\"((?:[^\"\\\\]|\\\\.)*)\"";

    private static string Unescape(string s)
    {
        return Regex.Replace(s, "\\\\(u[0-9a-fA-F]{4}|.)", m =>
        {
            string e = m.Groups[1].Value;
            switch (e[0])
            {
                case 'n': return "\n";
                case 't': return "\t";
                case 'u': return ((char)Convert.ToInt32(e.Substring(1), 16)).ToString();
                default: return e;
            }
        });
    }

    // The first string value of "name" in a JSON text, or null.
    private static string Field(string json, string name)
    {
        Match m = Regex.Match(json, "\"" + name + "\":\\s*" + JsonString);
        return m.Success ? Unescape(m.Groups[1].Value) : null;
    }

    // The strings of the first array "name": [...] in a JSON text (empty when there is none).
    private static List<string> Strings(string json, string name)
    {
        Match m = Regex.Match(json, "\"" + name + "\":\\s*\\[((?:\\s*" + JsonString + "\\s*,?)*)\\s*\\]");
        return m.Success
            ? Regex.Matches(m.Groups[1].Value, JsonString).Cast<Match>().Select(s => Unescape(s.Groups[1].Value)).ToList()
            : new List<string>();
    }

    // The objects of a plan's "machines" or a run's "progress", by machine name, in order.
    private static List<KeyValuePair<string, string>> Machines(string json, string section)
    {
        int from = json.IndexOf("\"" + section + "\"", StringComparison.Ordinal);
        var result = new List<KeyValuePair<string, string>>();
        if (from < 0)
        {
            return result;
        }
        MatchCollection starts = new Regex("\"machine\": " + JsonString).Matches(json, from);
        for (int i = 0; i < starts.Count; i++)
        {
            int end = i + 1 < starts.Count ? starts[i + 1].Index : json.Length;
            result.Add(new KeyValuePair<string, string>(Unescape(starts[i].Groups[1].Value), json.Substring(starts[i].Index, end - starts[i].Index)));
        }
        return result;
    }

    // --- the workflow ------------------------------------------------------------------------

    // Each machine of the run in the run's order (the plan's): its state (a skipped machine's
    // rule and reason from the plan), what it received, the steps left to do by hand.
    private static void PrintProgress(string run, string plan, IEnumerable<Machine> machines)
    {
        var byName = machines.ToDictionary(m => m.Name);
        var planned = Machines(plan, "machines").ToDictionary(p => p.Key, p => p.Value);
        foreach (var progress in Machines(run, "progress"))
        {
            Machine m = byName[progress.Key];
            string line = "  " + m.Name + ": " + Field(progress.Value, "state");
            string rule = Field(planned[m.Name], "rule");
            if (rule != null)
            {
                line += " (" + rule + "): " + Field(planned[m.Name], "reason");
            }
            if (m.Status == 1)
            {
                line += ", LicenseStatus 1 (licensed)";
            }
            Console.WriteLine(line);
            Console.WriteLine(m.Calls.Count == 0 ? "    nothing was called" : "    calls: " + string.Join(", ", m.Calls));
            if (m.KeyShown != null)
            {
                Console.WriteLine("    product key:          " + m.KeyShown + " (" + m.Channel + ")");
            }
            if (m.PublishList != null)
            {
                Console.WriteLine("    DnsDomainPublishList: " + m.PublishList);
            }
            if (m.KmsHost != null)
            {
                Console.WriteLine("    KMS host:             " + m.KmsHost + ", lookup domain " + (m.LookupDomain ?? "unchanged"));
            }
            if (m.HostCaching.HasValue)
            {
                Console.WriteLine("    host caching:         " + (m.HostCaching.Value ? "on" : "off"));
            }
            if (m.AlternateUrl != null)
            {
                Console.WriteLine("    AlternateURL:         " + m.AlternateUrl);
            }
            foreach (string step in Strings(progress.Value, "manual"))
            {
                Console.WriteLine("    by hand: " + step);
            }
        }
    }

    // Step 1: the KMS hosts of the topology, with the CSVLK from the store.
    private static void Deploy(string toml, MakStore store)
    {
        // Surveyed in any order: the plan follows the topology (the seed's order).
        var hosts = new[] { "kms-w2", "kms-e1", "kms-w1", "kms-e2" }
            .Select(n => new Machine(n, "Windows Server 2022", "ServerDatacenter", "0b1c4a5e-0000-4000-8000-000000000004"))
            .ToList();
        var targets = hosts.Cast<IActivationTarget>().ToList();
        string options = "{\"topology\":" + Quote(toml) + ",\"group\":\"server2022\",\"serves\":[\"windows10\",\"windows11\"]," +
                         "\"security_groups\":{\"east.contoso.com\":\"KMS_E\",\"west.contoso.com\":\"KMS_W\"}}";
        // The selector names the CSVLK in the store by its last five characters.
        string plan = Workflow.Plan("kms-deploy", Workflow.Survey(targets), store, "6Q83G", optionsJson: options);
        Console.WriteLine("  plan: " + string.Join(", ", Machines(plan, "machines").Select(p => p.Key)) + " (the topology's order)");

        // The first run activates the first host, which publishes the SRV records, and stops.
        string run = Workflow.RunExecute(Workflow.RunNew(plan), store, "6Q83G", targets);
        string waiting = Field(run, "waiting");
        if (waiting == null)
        {
            throw new InvalidOperationException("expected the run to wait for the SRV record grants");
        }
        Console.WriteLine("  the run waits: " + waiting);
        var byName = hosts.ToDictionary(h => h.Name);
        foreach (var progress in Machines(run, "progress"))
        {
            Machine h = byName[progress.Key];
            Console.WriteLine("    " + h.Name + ": " + Field(progress.Value, "state") +
                              " (" + (h.Calls.Count == 0 ? "nothing done yet" : string.Join(", ", h.Calls)) + ")");
        }

        // The grants given (by hand, or by the organization's DNS tooling): run the saved run
        // again; it goes on with the pending hosts.
        Console.WriteLine("  after the grants, the saved run again:");
        run = Workflow.RunExecute(run, store, "6Q83G", targets);
        if (Field(run, "waiting") != null)
        {
            throw new InvalidOperationException("still waiting: " + Field(run, "waiting"));
        }
        PrintProgress(run, plan, hosts);
        CheckNoFailure(run);
    }

    // A machine stops at its first failure, recorded in the run (state "failed"); the others
    // go on. Here every machine is expected to succeed.
    private static void CheckNoFailure(string run)
    {
        if (run.Contains("\"state\": \"failed\""))
        {
            throw new InvalidOperationException("a machine failed (see its state above)");
        }
    }

    // Step 2: KMS clients with Table 6.
    private static void Configure()
    {
        var clients = new List<Machine>
        {
            new Machine("PC-ENT01", "Windows 11", "Enterprise", "0b1c4a5e-0000-4000-8000-000000000003"),
            new Machine("PC-HOME01", "Windows 11", "Core", "0b1c4a5e-0000-4000-8000-000000000002"),
        };
        var targets = clients.Cast<IActivationTarget>().ToList();
        // No store: the plan carries each edition's published GVLK. A machine whose edition has
        // none is skipped before anything is installed (the rule and the reason are in the plan).
        string plan = Workflow.Plan("kms-configure", Workflow.Survey(targets), optionsJson: Table6);
        string run = Workflow.RunExecute(Workflow.RunNew(plan), null, null, targets);
        PrintProgress(run, plan, clients);
        CheckNoFailure(run);
    }

    // A text as a JSON string literal.
    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c == '"' || c == '\\')
            {
                sb.Append('\\').Append(c);
            }
            else if (c < 0x20)
            {
                sb.AppendFormat("\\u{0:x4}", (int)c);
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.Append('"').ToString();
    }

    public static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: KmsDeploy TOPOLOGY.toml");
            return 2;
        }
        string toml;
        try
        {
            toml = File.ReadAllText(args[0]);
        }
        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
        {
            Console.Error.WriteLine("KmsDeploy: cannot read " + args[0] + ": " + ex.Message);
            return 2;
        }
        try
        {
            using (var store = new MakStore())
            {
                // The store's entry holds the key masked: the only form of it this program prints.
                string entry = store.Add(Csvlk, null, KeyKind.Csvlk, "KMS host key", 0);
                Console.WriteLine("CSVLK " + Field(entry, "key") + " (" + Field(entry, "kind") + "), group server2022, serving windows10, windows11");

                Console.WriteLine("\nkms-deploy " + args[0]);
                Deploy(toml, store);
                Console.WriteLine("\nkms-configure (Table 6: DNS auto-discovery, host caching off, AlternateURL " + HelpUrl + ")");
                Configure();
            }
        }
        catch (VolactException ex)
        {
            Console.Error.WriteLine("failed (" + ex.Code + "): " + ex.Message);
            return 1;
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("failed: " + ex.Message);
            return 1;
        }
        return 0;
    }
}
