// Glue tests for the workflow wrapper (NUnit 2.6), with fake machines implemented in C#:
// survey JSON, a retail machine skipped with its rule, renderings without the key, a run that
// calls the right methods with the right Activation IDs (the key reaching InstallProductKey
// only), exceptions thrown by a target recorded as that machine's failure, proxy activation
// through the full CIL and a CID source, the KMS plans with their options (kms-configure's
// Table 6 run through the KMS and registry methods, kms-deploy of the seed's global topology
// with a CSVLK and a refused CSVLK group, convert-to-mak), and refusals as WorkflowException.
// The logic is tested in Rust and by bindings/c/tests/c/test_workflow.c.
//
// The fakes' IIDs and CIDs are fictitious digits whose mod-7 check digits are computed here;
// the Activation IDs are made up.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    // A fake Windows machine with one Windows product, recording what is done to it.
    internal sealed class FakeMachine : IActivationTarget
    {
        internal const string ProSku = "0b1c4a5e-0000-4000-8000-000000000001";
        internal const string CoreSku = "0b1c4a5e-0000-4000-8000-000000000002";

        private readonly string name;
        private readonly string edition;
        private readonly string family;
        private readonly string sku;
        private uint seed;

        internal FakeMachine(string name, string edition, uint seed, string family = "Windows 11")
        {
            this.name = name;
            this.edition = edition;
            this.family = family;
            sku = edition == "Core" ? CoreSku : ProSku;
            this.seed = seed;
            Iid = FakeIds.Make(seed, 9, 7);
        }

        internal readonly List<string> Calls = new List<string>();
        // The data of each value written (JSON; null: deleted).
        internal readonly Dictionary<string, string> Values = new Dictionary<string, string>();
        // Every text volact passed, except the key.
        internal readonly List<string> Arguments = new List<string>();
        internal string Channel = "Retail";
        internal int Status = 5;
        internal string Iid;
        internal string KeySeen;
        internal string CidSeen;
        internal Exception Offline;
        internal Exception OnActivate;
        internal string ProductsOverride;

        public string MachineJson()
        {
            if (Offline != null)
            {
                throw Offline;
            }
            // Callbacks may run while the collector moves things: the tables must not care.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return "{\"name\":\"" + name + "\",\"network_type\":\"Workgroup\",\"network_name\":\"LAB\"," +
                   "\"os_version\":\"10.0.22631\",\"mac_addresses\":[\"00-15-5D-00-00-0" + seed % 10 + "\"]}";
        }

        public string ProductsJson()
        {
            if (ProductsOverride != null)
            {
                return ProductsOverride;
            }
            return "[{\"activation_id\":\"" + sku + "\",\"application_id\":\"55c92734-d682-4d71-983e-d6ec3f16059f\"," +
                   "\"name\":\"Windows(R), " + edition + " edition\",\"family\":\"" + family + "\",\"edition_id\":\"" + edition + "\"," +
                   "\"channel\":\"" + Channel + "\",\"license_status\":" + Status + ",\"grace_remaining\":0," +
                   "\"installation_id\":\"" + Iid + "\",\"product_key_id\":null,\"partial_product_key\":null}]";
        }

        public void InstallProductKey(string key)
        {
            Calls.Add("ipk");
            KeySeen = key;
            Channel = "Volume:MAK";
            seed += 100;
            Iid = FakeIds.Make(seed, 9, 7);
        }

        public void Activate(string activationId)
        {
            Calls.Add("ato " + activationId);
            Arguments.Add(activationId);
            if (OnActivate != null)
            {
                throw OnActivate;
            }
            Status = 1;
        }

        public void DepositConfirmationId(string activationId, string installationId, string confirmationId)
        {
            Calls.Add("atp " + activationId);
            Arguments.AddRange(new[] { activationId, installationId, confirmationId });
            if (FakeIds.Digits(installationId) != FakeIds.Digits(Iid) || FakeIds.Digits(confirmationId) != FakeIds.Digits(FakeIds.CidFor(installationId)))
            {
                throw new ActivationTargetException(TargetErrorKind.Licensing, 0xC004F04D, "the CID does not fit the IID");
            }
            CidSeen = confirmationId;
            Status = 1;
        }

        public void SetKmsHost(string host)
        {
            Calls.Add(host == null ? "ckms" : "skms " + host);
        }

        public void SetKmsLookupDomain(string domain)
        {
            Calls.Add(domain == null ? "ckms-domain" : "skms-domain " + domain);
        }

        public void SetHostCaching(bool enabled)
        {
            Calls.Add(enabled ? "skhc" : "ckhc");
        }

        public string ReadValue(string name)
        {
            return null;
        }

        public void WriteValue(string name, string dataJson)
        {
            Calls.Add("reg " + name);
            Values[name] = dataJson;
        }
    }

    // Fictitious IDs: digits from a seed, each group ending in its mod-7 check digit.
    internal static class FakeIds
    {
        internal static string Make(uint seed, int groups, int groupLen)
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

        internal static string Digits(string id)
        {
            return new string(id.Where(char.IsDigit).ToArray());
        }

        internal static string CidFor(string iid)
        {
            uint h = 2166136261u;
            foreach (char c in Digits(iid))
            {
                h = unchecked((h ^ c) * 16777619u);
            }
            return Make(h, 8, 6);
        }
    }

    // CIDs for the Professional SKU; a refusal for one IID; a crash for another.
    internal sealed class FakeSource : IConfirmationIdSource
    {
        internal string Refuse;
        internal string Crash;
        internal int Asked;

        public string ConfirmationId(string installationId, string productKeyId, string skuId)
        {
            Asked++;
            if (skuId != FakeMachine.ProSku)
            {
                return null;
            }
            if (installationId == Refuse)
            {
                throw new ConfirmationIdRefusedException(0x7F, "MAK activation limit exceeded");
            }
            if (installationId == Crash)
            {
                throw new InvalidOperationException("the service is down");
            }
            return FakeIds.CidFor(installationId);
        }
    }

    [TestFixture]
    public class WorkflowTests
    {
        private const string Key = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
        private MakStore store;
        private FakeMachine pc01, pc02, home, down;
        private List<IActivationTarget> lab;

        [SetUp]
        public void Lab()
        {
            store = new MakStore();
            store.Add(Key, null, KeyKind.Mak, "Lab MAK", 1700000000);
            pc01 = new FakeMachine("LAB-PC01", "Professional", 1);
            pc02 = new FakeMachine("LAB-PC02", "Professional", 2);
            home = new FakeMachine("LAB-HOME", "Core", 3);
            down = new FakeMachine("LAB-DOWN", "Professional", 4)
            {
                Offline = new ActivationTargetException(TargetErrorKind.Unreachable, "RPC server unavailable"),
            };
            lab = new List<IActivationTarget> { pc01, pc02, home, down };
        }

        [TearDown]
        public void DisposeStore()
        {
            store.Dispose();
        }

        private static void AssertNoKey(string text)
        {
            StringAssert.DoesNotContain(Key, text);
            foreach (string group in Key.Split('-').Take(4))
            {
                StringAssert.DoesNotContain(group, text);
            }
        }

        [Test]
        public void SurveyHasEveryMachineAndTheUnreachableOne()
        {
            string survey = Workflow.Survey(lab);
            StringAssert.Contains("\"name\": \"LAB-PC01\"", survey);
            StringAssert.Contains("\"edition_id\": \"Core\"", survey);
            StringAssert.Contains(pc02.Iid, survey);
            StringAssert.Contains("\"kind\": \"unreachable\",\n      \"detail\": \"RPC server unavailable\"", survey);
            Assert.IsEmpty(pc01.Calls, "a survey only reads");
            Assert.AreEqual("[]", Workflow.Survey(new List<IActivationTarget>()));
        }

        [Test]
        public void TheRetailMachineIsSkippedWithItsRule()
        {
            string plan = Workflow.Plan("mak-independent", Workflow.Survey(lab), store, "6Q83G");
            StringAssert.Contains("\"machine\": \"LAB-HOME\",\n      \"actions\": [],\n      \"skipped\": {\n        \"rule\": \"mak-on-retail-edition\"", plan);
            StringAssert.Contains("\"rule\": \"status-unknown\"", plan);
            AssertNoKey(plan);
        }

        [Test]
        public void RenderingsNeverHoldTheKey()
        {
            string plan = Workflow.Plan("mak-independent", Workflow.Survey(lab), store, "6Q83G");
            string cmd = Workflow.Render(plan, "slmgr");
            StringAssert.Contains("%SLMGR% LAB-PC01 /ipk %VOLACT_KEY%", cmd);
            StringAssert.Contains("rem LAB-HOME: skipped (mak-on-retail-edition)", cmd);
            AssertNoKey(cmd);
            string ps = Workflow.Render(plan, "powershell");
            StringAssert.Contains("ProductKey = $env:VOLACT_KEY", ps);
            AssertNoKey(ps);
            Assert.AreEqual(plan, Workflow.Render(plan, "json"));
        }

        [Test]
        public void TheRunCallsTheTargetsAndTheKeyReachesOnlyTheInstall()
        {
            string plan = Workflow.Plan("mak-independent", Workflow.Survey(lab), store, "6Q83G");
            string run = Workflow.RunExecute(Workflow.RunNew(plan), store, "6Q83G", lab);
            CollectionAssert.AreEqual(new[] { "ipk", "ato " + FakeMachine.ProSku }, pc01.Calls);
            CollectionAssert.AreEqual(new[] { "ipk", "ato " + FakeMachine.ProSku }, pc02.Calls);
            Assert.IsEmpty(home.Calls);
            Assert.IsEmpty(down.Calls);
            Assert.AreEqual(Key, pc01.KeySeen);
            Assert.AreEqual(1, pc01.Status);
            foreach (string arg in pc01.Arguments.Concat(pc02.Arguments))
            {
                AssertNoKey(arg);
            }
            AssertNoKey(run);
            StringAssert.Contains("\"machine\": \"LAB-PC01\",\n      \"done\": 2,\n      \"state\": \"done\"", run);
            StringAssert.Contains("\"machine\": \"LAB-HOME\",\n      \"done\": 0,\n      \"state\": \"skipped\"", run);

            // Two online activations become the store's next count snapshot.
            uint used = Workflow.OnlineActivations(run);
            Assert.AreEqual(2u, used);
            Assert.IsNull(store.RecordActivations("6Q83G", used, 10), "no count recorded yet");
            store.RecordCount("6Q83G", 50, 20);
            StringAssert.Contains("\"remaining\":48,", store.RecordActivations("6Q83G", used, 30));
            Assert.Throws<WorkflowException>(() => Workflow.OnlineActivations("{}"));
        }

        [Test]
        public void AnExceptionInATargetFailsThatMachineWithItsMessage()
        {
            pc01.OnActivate = new InvalidOperationException("the agent lost its connection");
            pc02.OnActivate = new ActivationTargetException(TargetErrorKind.Licensing, 0xC004C003, "the activation server refused the key");
            string plan = Workflow.Plan("mak-independent", Workflow.Survey(lab), store, "6Q83G");
            string run = Workflow.RunExecute(Workflow.RunNew(plan), store, "6Q83G", lab);
            StringAssert.Contains("\"machine\": \"LAB-PC01\",\n      \"done\": 1,\n      \"state\": \"failed\",\n      \"action\": 1,\n" +
                                  "      \"error\": {\n        \"kind\": \"other\",\n" +
                                  "        \"detail\": \"InvalidOperationException: the agent lost its connection\"", run);
            StringAssert.Contains("\"kind\": \"licensing\",\n        \"code\": " + 0xC004C003u + ",\n" +
                                  "        \"detail\": \"the activation server refused the key\"", run);

            // Resumed from the saved run: only the failed activations are tried again.
            pc01.OnActivate = null;
            pc02.OnActivate = null;
            string resumed = Workflow.RunExecute(run, store, "6Q83G", lab);
            StringAssert.DoesNotContain("\"failed\"", resumed);
            CollectionAssert.AreEqual(new[] { "ipk", "ato " + FakeMachine.ProSku, "ato " + FakeMachine.ProSku }, pc01.Calls);
        }

        [Test]
        public void GarbageFromATargetIsThatTargetsError()
        {
            pc01.ProductsOverride = "[{\"not\": \"a product\"}]";
            string survey = Workflow.Survey(lab);
            StringAssert.Contains("the target's products JSON is not valid", survey);
            StringAssert.Contains("\"name\": \"LAB-PC02\"", survey);
        }

        [Test]
        public void ProxyActivationThroughTheFullCilAndASource()
        {
            // Step 5: install, no activation.
            string plan = Workflow.Plan("proxy-install", Workflow.Survey(lab), store, "6Q83G");
            Workflow.RunExecute(Workflow.RunNew(plan), store, "6Q83G", lab);
            CollectionAssert.AreEqual(new[] { "ipk" }, pc01.Calls);
            Assert.AreEqual(5, pc01.Status);

            // Step 6: the full CIL; the offline machine left out.
            string survey = Workflow.Survey(lab);
            string left;
            using (CilDocument cil = Workflow.CollectCil(survey, "Isolated Lab Group", out left))
            {
                StringAssert.Contains("#4: unreachable: RPC server unavailable", left);
                Assert.AreEqual(3, cil.Summary.Computers);

                // Step 9: PC02's IID refused, HOME's SKU unknown to the source.
                var source = new FakeSource { Refuse = pc02.Iid };
                string report = Workflow.Acquire(cil, source);
                Assert.AreEqual(3, source.Asked);
                StringAssert.Contains("\"outcome\":\"written\"", report);
                StringAssert.Contains("\"outcome\":\"refused\",\"code\":127,\"detail\":\"MAK activation limit exceeded\"", report);
                StringAssert.Contains("\"outcome\":\"not_available\"", report);
                Assert.AreEqual(1, cil.Summary.PendingCids);

                // A source that crashes is a refusal, not a crash.
                source = new FakeSource { Crash = pc02.Iid };
                report = Workflow.Acquire(cil, source);
                StringAssert.Contains("\"outcome\":\"refused\",\"code\":0,\"detail\":\"InvalidOperationException: the service is down\"", report);

                // Step 12: the deposit on PC01, with its IID and the CID issued for it.
                string apply = Workflow.Plan("proxy-apply", survey, cil: cil);
                string run = Workflow.RunExecute(Workflow.RunNew(apply), null, null, lab);
                CollectionAssert.AreEqual(new[] { "ipk", "atp " + FakeMachine.ProSku }, pc01.Calls);
                Assert.AreEqual(FakeIds.CidFor(pc01.Iid), pc01.CidSeen);
                Assert.AreEqual(1, pc01.Status);
                StringAssert.Contains("\"rule\": \"no-cid\"", run);
            }
        }

        [Test]
        public void RefusedInputsAreWorkflowExceptions()
        {
            string survey = Workflow.Survey(lab);
            var e = Assert.Throws<WorkflowException>(() => Workflow.Plan("kms-everything", survey));
            Assert.AreEqual(VolactResult.WorkflowInput, e.Code);
            StringAssert.Contains("unknown plan \"kms-everything\"", e.Message);
            e = Assert.Throws<WorkflowException>(() => Workflow.Plan("mak-independent", survey));
            StringAssert.Contains("needs a key from the MAK store", e.Message);
            e = Assert.Throws<WorkflowException>(() => Workflow.Plan("preflight", "[{"));
            Assert.AreEqual(VolactResult.WorkflowJson, e.Code);
            e = Assert.Throws<WorkflowException>(() => Workflow.Render("{}", "slmgr"));
            Assert.AreEqual(VolactResult.WorkflowJson, e.Code);
            e = Assert.Throws<WorkflowException>(() => Workflow.Render(Workflow.Plan("preflight", survey), "bash"));
            Assert.AreEqual(VolactResult.WorkflowInput, e.Code);
            var missing = Assert.Throws<VolactException>(() => Workflow.Plan("mak-independent", survey, store, "ZZZZZ"));
            Assert.AreEqual(VolactResult.NotFound, missing.Code);

            // Fewer targets than the run's machines: refused before any target is called.
            string run = Workflow.RunNew(Workflow.Plan("mak-independent", survey, store, "6Q83G"));
            e = Assert.Throws<WorkflowException>(() => Workflow.RunExecute(run, store, "6Q83G", lab.Take(2).ToList()));
            StringAssert.Contains("is target #3, but 2 targets were given", e.Message);
            Assert.IsEmpty(pc01.Calls);

            Assert.Throws<ArgumentNullException>(() => Workflow.Survey(null));
            Assert.Throws<ArgumentNullException>(() => Workflow.Plan(null, survey));
            Assert.Throws<ArgumentException>(() => Workflow.Survey(new List<IActivationTarget> { null }));
            Assert.Throws<ArgumentNullException>(() => Workflow.Acquire(null, new FakeSource()));
        }

        private const string Gvlk = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
        private const string Table6 = "{\"discovery\":\"auto\",\"host_caching\":false,\"alternate_url\":\"http://contoso.com/help\"}";

        [Test]
        public void KmsConfigureTable6InstallsTheGvlkAndSetsDiscoveryCachingAndTheUrl()
        {
            var ent = new FakeMachine("PC-ENT", "Enterprise", 11) { Channel = "Volume:MAK" };
            var core = new FakeMachine("PC-HOME", "Core", 12);
            var clients = new List<IActivationTarget> { ent, core };
            string plan = Workflow.Plan("kms-configure", Workflow.Survey(clients), optionsJson: Table6);
            StringAssert.Contains("\"kind\": \"kms-configure\"", plan);
            StringAssert.Contains("\"action\": \"install_gvlk\",\n          \"key\": \"" + Gvlk + "\"", plan);
            StringAssert.Contains("\"machine\": \"PC-HOME\",\n      \"actions\": [],\n      \"skipped\": {\n        \"rule\": \"no-gvlk\"", plan);
            StringAssert.Contains("%SLMGR% PC-ENT /ckhc", Workflow.Render(plan, "slmgr"));

            // No store: the plan carries the published GVLK.
            string run = Workflow.RunExecute(Workflow.RunNew(plan), null, null, clients);
            CollectionAssert.AreEqual(new[] { "ipk", "ckms", "ckms-domain", "ckhc", "reg AlternateURL", "ato " + FakeMachine.ProSku }, ent.Calls);
            Assert.AreEqual(Gvlk, ent.KeySeen);
            Assert.AreEqual("{\"String\":\"http://contoso.com/help\"}", ent.Values["AlternateURL"]);
            Assert.IsEmpty(core.Calls);
            StringAssert.Contains("\"machine\": \"PC-ENT\",\n      \"done\": 6,\n      \"state\": \"done\"", run);

            // Null options: the defaults (GVLK, auto-discovery, activation).
            var ent2 = new FakeMachine("PC-ENT2", "Enterprise", 13);
            var one = new List<IActivationTarget> { ent2 };
            Workflow.RunExecute(Workflow.RunNew(Workflow.Plan("kms-configure", Workflow.Survey(one))), null, null, one);
            CollectionAssert.AreEqual(new[] { "ipk", "ckms", "ckms-domain", "ato " + FakeMachine.ProSku }, ent2.Calls);

            var e = Assert.Throws<WorkflowException>(() => Workflow.Plan("kms-configure", Workflow.Survey(one), optionsJson: "{\"host_cashing\":false}"));
            Assert.AreEqual(VolactResult.WorkflowJson, e.Code);
            StringAssert.Contains("kms-configure options", e.Message);
        }

        private static string Repo()
        {
            return Environment.GetEnvironmentVariable("VOLACT_REPO") ?? Directory.GetCurrentDirectory();
        }

        // A JSON string literal of any text.
        private static string JsonString(string text)
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

        [Test]
        public void KmsDeployFollowsTheGlobalTopologyAndRefusesAGroupThatDoesNotCoverTheClients()
        {
            string topology = JsonString(File.ReadAllText(Path.Combine(Repo(), "examples/kms/contoso-global.toml")));
            using (var csvlks = new MakStore())
            {
                StringAssert.Contains("\"kind\":\"csvlk\"", csvlks.Add(Key, null, KeyKind.Csvlk, "KMS host key", 1700000000));
                var hosts = new[] { "KMS-W2", "kms-e1", "kms-e2.east.contoso.com", "KMS-W1" }
                    .Select((n, i) => new FakeMachine(n, "ServerDatacenter", (uint)(20 + i), "Windows Server 2022"))
                    .ToList();
                var targets = hosts.Cast<IActivationTarget>().ToList();
                string survey = Workflow.Survey(targets);
                string options = "{\"topology\":" + topology + ",\"group\":\"server2022\",\"serves\":[\"windows10\",\"windows11\"]," +
                                 "\"security_groups\":{\"east.contoso.com\":\"KMS_E\",\"west.contoso.com\":\"KMS_W\"}}";
                string plan = Workflow.Plan("kms-deploy", survey, csvlks, "6Q83G", optionsJson: options);
                StringAssert.Contains("\"kind\": \"kms-deploy\"", plan);
                int e1 = plan.IndexOf("\"machine\": \"kms-e1\"", StringComparison.Ordinal);
                int w2 = plan.IndexOf("\"machine\": \"KMS-W2\"", StringComparison.Ordinal);
                Assert.IsTrue(e1 > 0 && w2 > e1, "the first east host first, the last west host last");
                StringAssert.Contains("\"group\": \"KMS_E\"", plan);
                StringAssert.Contains("\"key_masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\"", plan);
                AssertNoKey(plan);

                string run = Workflow.RunExecute(Workflow.RunNew(plan), csvlks, "6Q83G", targets);
                CollectionAssert.AreEqual(new[] { "reg DnsDomainPublishList", "ipk", "ato " + FakeMachine.ProSku }, hosts[1].Calls);
                Assert.AreEqual(Key, hosts[1].KeySeen);
                Assert.AreEqual("{\"MultiString\":[\"east.contoso.com, 10, 75\",\"west.contoso.com, 90, 75\"]}", hosts[1].Values["DnsDomainPublishList"]);
                StringAssert.Contains("grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com", run);
                AssertNoKey(run);

                // A Windows 10 CSVLK does not activate Windows Server 2022.
                string refused = "{\"topology\":" + topology + ",\"group\":\"windows10\",\"serves\":[\"server2022\"]}";
                var e = Assert.Throws<WorkflowException>(() => Workflow.Plan("kms-deploy", survey, csvlks, "6Q83G", optionsJson: refused));
                Assert.AreEqual(VolactResult.WorkflowInput, e.Code);
                StringAssert.Contains("does not activate", e.Message);
                // A MAK is not a KMS host key.
                e = Assert.Throws<WorkflowException>(() => Workflow.Plan("kms-deploy", survey, store, "6Q83G", optionsJson: options));
                StringAssert.Contains("KMS hosts take a CSVLK", e.Message);
                AssertNoKey(e.Message);
            }
        }

        [Test]
        public void ConvertToMakInstallsAndActivatesOnKmsClientsOnly()
        {
            var kms = new FakeMachine("PC-KMS", "Enterprise", 31) { Channel = "Volume:GVLK" };
            var retail = new FakeMachine("PC-RETAIL", "Enterprise", 32);
            var clients = new List<IActivationTarget> { kms, retail };
            string plan = Workflow.Plan("convert-to-mak", Workflow.Survey(clients), store, "6Q83G");
            StringAssert.Contains("\"rule\": \"not-kms-client\"", plan);
            Workflow.RunExecute(Workflow.RunNew(plan), store, "6Q83G", clients);
            CollectionAssert.AreEqual(new[] { "ipk", "ato " + FakeMachine.ProSku }, kms.Calls);
            Assert.AreEqual(Key, kms.KeySeen);
            Assert.IsEmpty(retail.Calls);
        }

        [Test]
        public void TheProxyStepsAreTheSeedsThirteen()
        {
            string steps = Workflow.ProxySteps();
            StringAssert.Contains("\"number\": 13", steps);
            StringAssert.Contains("Install the MAK on the Isolated Lab computers", steps);
            CollectionAssert.Contains(Workflow.PlanKinds, "proxy-apply");
            CollectionAssert.IsSubsetOf(new[] { "kms-configure", "kms-deploy", "convert-to-mak" }, Workflow.PlanKinds);
        }

        [Test]
        public void TheCollectionScriptWritesEveryFieldASurveyHas()
        {
            string script = Workflow.CollectScript();
            string survey = Workflow.Survey(lab);
            var fields = System.Text.RegularExpressions.Regex.Matches(survey, "\"([a-z_]+)\":")
                .Cast<System.Text.RegularExpressions.Match>()
                .Select(m => m.Groups[1].Value)
                .Distinct()
                .Where(f => f != "machine" && f != "products" && f != "error" && f != "kind" && f != "detail")
                .ToList();
            Assert.That(fields.Count, Is.GreaterThanOrEqualTo(10), survey);
            foreach (string f in fields)
            {
                StringAssert.Contains(f, script, f);
            }
            StringAssert.Contains("SoftwareLicensingProduct", script);
        }
    }
}
