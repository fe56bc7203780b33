// Glue tests for the KMS discovery wrappers (NUnit 2.6): each reaches libvolact intact, with
// the error codes mapped to the right exceptions. The logic is tested in Rust and by
// bindings/c/tests/c/test_srv.c; these run the same scenarios, fewer of them.
//
// The DNS tests talk to the real bind9 that bindings/csharp/test.sh starts on loopback
// (tests/dns/named.sh), given in VOLACT_NAMED (ip:port) and VOLACT_TSIG_KEY (its key file).
// Without them the tests fail: they are never skipped.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    [TestFixture]
    public class SrvTests
    {
        // east.contoso.com's records in the seed's global scenario, not in order.
        private static readonly string[] East =
        {
            "90 25 1688 kms-w2.west.contoso.com.",
            "10 25 1688 kms-e2.east.contoso.com.",
            "90 75 1688 kms-w1.west.contoso.com.",
            "10 75 1688 kms-e1.east.contoso.com.",
        };

        private static string Repo()
        {
            // nunit-console runs in the assembly's directory; test.sh says where the root is.
            return Environment.GetEnvironmentVariable("VOLACT_REPO") ?? Directory.GetCurrentDirectory();
        }

        private static string GlobalTopology()
        {
            return File.ReadAllText(Path.Combine(Repo(), "examples/kms/contoso-global.toml"));
        }

        private static string Env(string name)
        {
            string value = Environment.GetEnvironmentVariable(name);
            Assert.IsFalse(string.IsNullOrEmpty(value),
                name + " is not set: run bindings/csharp/test.sh, which starts bind9 (apt-get install bind9 bind9-utils dnsutils)");
            return value;
        }

        private static string Named() { return Env("VOLACT_NAMED"); }

        private static string KeyText() { return File.ReadAllText(Env("VOLACT_TSIG_KEY")); }

        [Test]
        public void PlansTheSeedsGlobalScenario()
        {
            string json = SrvPlanner.Plan(GlobalTopology(), SrvFormat.Json);
            StringAssert.Contains(
                "{\"host\":\"kms-e1.east.contoso.com\",\"port\":1688,\"priority\":10,\"weight\":75}", json);
            StringAssert.Contains(
                "\"dns_domain_publish_list\":[\"east.contoso.com, 10, 75\",\"west.contoso.com, 90, 75\"]", json);
            string zone = SrvPlanner.Plan(GlobalTopology(), SrvFormat.Zone);
            StringAssert.Contains("_vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com.\n", zone);
            StringAssert.Contains("_vlmcs._tcp.west.contoso.com. 3600 IN SRV 90 25 1688 kms-e2.east.contoso.com.\n", zone);
            StringAssert.Contains("[kms-w2.west.contoso.com]\nwest.contoso.com, 10, 25\neast.contoso.com, 90, 25\n",
                SrvPlanner.Plan(GlobalTopology(), SrvFormat.PublishLists));
            StringAssert.Contains("update add _vlmcs._tcp.east.contoso.com.", SrvPlanner.Plan(GlobalTopology(), SrvFormat.Nsupdate));
            StringAssert.Contains("Add-DnsServerResourceRecord -Srv", SrvPlanner.Plan(GlobalTopology(), SrvFormat.Powershell));
            StringAssert.Contains("DnsDomainPublishList /t REG_MULTI_SZ", SrvPlanner.Plan(GlobalTopology(), SrvFormat.Registry));
        }

        [Test]
        public void PlanErrorsNameTheLine()
        {
            var e = Assert.Throws<InvalidSrvInputException>(() => SrvPlanner.Plan("[[host]]\nname = \"a b\"\n", SrvFormat.Json));
            Assert.AreEqual(VolactResult.SrvTopology, e.Code);
            StringAssert.Contains("line 2", e.Message);
            var bad = Assert.Throws<VolactException>(() => SrvPlanner.Plan(GlobalTopology(), (SrvFormat)9));
            Assert.AreEqual(VolactResult.InvalidArgument, bad.Code);
            Assert.Throws<ArgumentNullException>(() => SrvPlanner.Plan(null, SrvFormat.Json));
        }

        [Test]
        public void OrdersAreSeededPermutationsByPriority()
        {
            for (ulong seed = 1; seed <= 20; seed++)
            {
                string[] ordered = SrvOrder.Order(East, seed);
                CollectionAssert.AreEquivalent(East, ordered);
                int[] priorities = ordered.Select(l => int.Parse(l.Split(' ')[0])).ToArray();
                CollectionAssert.IsOrdered(priorities);
                CollectionAssert.AreEqual(ordered, SrvOrder.Order(East, seed));
                CollectionAssert.AreEquivalent(East, SrvOrder.Order(East, seed, SrvOrderMode.Legacy));
            }
            string counts = SrvOrder.FirstCounts(East, 7, 10000);
            StringAssert.Contains("\"kms-w1.west.contoso.com\":0", counts);
            StringAssert.StartsWith("{\"kms-e1.east.contoso.com\":7", counts);   // about 75 % of 10000
            var e = Assert.Throws<InvalidSrvInputException>(() => SrvOrder.Order(new[] { "10 75 1688 a.example", "10 75" }, 1));
            Assert.AreEqual(VolactResult.SrvRecord, e.Code);
            StringAssert.Contains("line 2", e.Message);
        }

        [Test]
        public void PublishDiscoverWithdrawAgainstBind9()
        {
            var publisher = new KmsPublisher(Named(), KeyText(), 3000);
            publisher.Publish("east.contoso.com", "east.contoso.com", "10 75 1688 kms-e1.east.contoso.com.");
            publisher.Publish("east.contoso.com", "east.contoso.com", "10 25 1688 kms-e2.east.contoso.com.", 600);
            const string config = "{\"lookup_domain\": \"east.contoso.com\"}";
            string found = KmsDiscovery.Discover(config, Named(), 2000, 1);
            StringAssert.Contains("\"host\":\"kms-e1.east.contoso.com\",\"port\":1688,\"priority\":10,\"weight\":75", found);
            StringAssert.Contains("\"host\":\"kms-e2.east.contoso.com\"", found);
            CollectionAssert.AreEqual(new[] { "10 25 1688 kms-e2.east.contoso.com." },
                publisher.Withdraw("east.contoso.com", "east.contoso.com", "kms-e2.east.contoso.com", "10 25"));
            CollectionAssert.AreEqual(new[] { "10 75 1688 kms-e1.east.contoso.com." },
                publisher.Withdraw("east.contoso.com", "east.contoso.com", "kms-e1.east.contoso.com"));
            CollectionAssert.IsEmpty(publisher.Withdraw("east.contoso.com", "east.contoso.com", "kms-e1.east.contoso.com"));
            StringAssert.Contains("\"attempts\":[]", KmsDiscovery.Discover(config, Named(), 2000, 1));
        }

        [Test]
        public void NetworkFailuresAreTyped()
        {
            string wrong = "key \"volact-test\" { algorithm hmac-sha256; secret \"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\"; };";
            var e = Assert.Throws<DnsNetworkException>(() =>
                new KmsPublisher(Named(), wrong, 3000).Publish("east.contoso.com", "east.contoso.com", "0 0 1688 kms-e1.east.contoso.com"));
            Assert.AreEqual(VolactResult.NetTsig, e.Code);
            StringAssert.Contains("BADSIG", e.Message);

            var key = Assert.Throws<DnsNetworkException>(() =>
                new KmsPublisher(Named(), "key \"k\" {", 3000).Publish("east.contoso.com", "east.contoso.com", "0 0 1688 kms"));
            Assert.AreEqual(VolactResult.NetKeyFile, key.Code);
            var pw = Assert.Throws<InvalidSrvInputException>(() =>
                new KmsPublisher(Named(), KeyText()).Withdraw("east.contoso.com", "east.contoso.com", "kms", "10"));
            Assert.AreEqual(VolactResult.SrvPriorityWeight, pw.Code);

            // A UDP socket that never answers: the timeout code, within the deadline.
            using (var hole = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
            {
                string addr = hole.Client.LocalEndPoint.ToString();
                var watch = Stopwatch.StartNew();
                var t = Assert.Throws<DnsNetworkException>(() =>
                    new KmsPublisher(addr, KeyText(), 300).Publish("east.contoso.com", "east.contoso.com", "0 0 1688 kms-e1.east.contoso.com"));
                Assert.AreEqual(VolactResult.NetTimeout, t.Code);
                Assert.Less(watch.ElapsedMilliseconds, 3000);
                StringAssert.Contains("\"outcome\":\"failed\"",
                    KmsDiscovery.Discover("{\"lookup_domain\": \"east.contoso.com\"}", addr, 200, 1));
            }

            var cfg = Assert.Throws<InvalidSrvInputException>(() => KmsDiscovery.Discover("{\"nope\": 1}", Named(), 0, 1));
            Assert.AreEqual(VolactResult.SrvClientConfig, cfg.Code);
            StringAssert.Contains("column", cfg.Message);
            Assert.AreEqual(VolactResult.SrvServerList,
                Assert.Throws<InvalidSrvInputException>(() => KmsDiscovery.Discover("", "dns.example", 0, 1)).Code);
            Assert.Throws<ArgumentOutOfRangeException>(() => KmsDiscovery.Discover("", Named(), -1, 1));
        }

        [Test]
        public void ProbesOpenAndClosedPorts()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            try
            {
                Assert.IsTrue(KmsProbe.IsOpen("127.0.0.1:" + port, 2000));
            }
            finally
            {
                listener.Stop();
            }
            Assert.IsFalse(KmsProbe.IsOpen("127.0.0.1:" + port, 2000));
            Assert.AreEqual(VolactResult.SrvHostPort,
                Assert.Throws<InvalidSrvInputException>(() => KmsProbe.IsOpen(":1688")).Code);
            Assert.AreEqual(VolactResult.NetResolve,
                Assert.Throws<DnsNetworkException>(() => KmsProbe.IsOpen("no-such-host.invalid")).Code);
        }
    }
}
