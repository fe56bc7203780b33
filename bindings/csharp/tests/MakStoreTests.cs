// Glue tests for the MAK store wrapper (NUnit 2.6): classification through a UserCatalog,
// refusals as MakStoreException with their 11xx codes, snapshots, the owner-only file and its
// round trip, masking everywhere. The logic is tested in Rust and by
// bindings/c/tests/c/test_mak_store.c. The pkeyconfig files are the core's fictitious test
// files (crates/volact/tests/data/pkeyconfig/README.md): they classify the published "twin"
// key as a MAK.
using System;
using System.Diagnostics;
using System.IO;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    [TestFixture]
    public class MakStoreTests
    {
        private const string Twin = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
        private const string Gvlk = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
        private const string Masked = "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G";
        private const long T0 = 1700000000;
        private string dir;

        private static UserCatalog Catalog()
        {
            string repo = Environment.GetEnvironmentVariable("VOLACT_REPO") ?? Directory.GetCurrentDirectory();
            var catalog = new UserCatalog();
            catalog.ImportPkeyconfig(
                File.ReadAllBytes(Path.Combine(repo, "crates/volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms")),
                "mak-retail-oem.xrm-ms");
            return catalog;
        }

        // The key, without dashes, and each of its first four groups: none may appear.
        private static void AssertMasked(string text, string key = Twin)
        {
            string upper = text.ToUpperInvariant();
            StringAssert.DoesNotContain(key, upper);
            StringAssert.DoesNotContain(key.Replace("-", ""), upper);
            string[] groups = key.Split('-');
            for (int i = 0; i < 4; i++)
            {
                StringAssert.DoesNotContain(groups[i], upper);
            }
        }

        private static string Run(string file, string args)
        {
            var psi = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardOutput = true };
            using (Process p = Process.Start(psi))
            {
                string output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return output;
            }
        }

        [SetUp]
        public void MakeScratchDirectory()
        {
            string root = Environment.GetEnvironmentVariable("VOLACT_SCRATCH") ?? Path.GetTempPath();
            dir = Path.Combine(root, "volact-mak-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }

        [TearDown]
        public void RemoveScratchDirectory()
        {
            Directory.Delete(dir, true);
        }

        [Test]
        public void TwinIsAMakThroughTheUserCatalog()
        {
            using (UserCatalog catalog = Catalog())
            using (var store = new MakStore())
            {
                string entry = store.Add(Twin, catalog, KeyKind.None, "Lab MAK", T0);
                StringAssert.StartsWith("{\"id\":\"", entry);
                StringAssert.Contains("\"key\":\"" + Masked + "\",\"partial\":\"6Q83G\",\"kind\":\"mak\",\"source\":\"user_catalog\",\"source_file\":\"mak-retail-oem.xrm-ms\",\"edition\":\"EnterpriseTest\"", entry);
                StringAssert.Contains("\"description\":\"Lab MAK\",\"added_at\":\"2023-11-14T22:13:20Z\",\"added_at_unix\":1700000000,\"remaining\":null", entry);
                Assert.AreEqual(entry, store.Get("6q83g"));
                Assert.AreEqual(entry, store.Get(Twin));
                Assert.AreEqual("[" + entry + "]", store.List());
                Assert.AreEqual("MakStore", store.ToString());
                AssertMasked(entry);
            }
        }

        [Test]
        public void UnknownTypeRefusedUntilDeclared()
        {
            using (var store = new MakStore())
            {
                var e = Assert.Throws<MakStoreException>(() => store.Add(Twin, null, KeyKind.None, "", T0));
                Assert.AreEqual(VolactResult.MakUnknownType, e.Code);
                StringAssert.Contains(Masked, e.Message);
                AssertMasked(e.Message + e.ToString());
                Assert.AreEqual("[]", store.List());
                string entry = store.Add(Twin, null, KeyKind.Mak, "declared", T0);
                StringAssert.Contains("\"kind\":\"mak\",\"source\":\"declared\",\"source_file\":null,\"edition\":null,\"product\":null", entry);
                using (UserCatalog catalog = Catalog())
                using (var other = new MakStore())
                {
                    var c = Assert.Throws<MakStoreException>(() => other.Add(Twin, catalog, KeyKind.Retail, "", T0));
                    Assert.AreEqual(VolactResult.MakContradiction, c.Code);
                    AssertMasked(c.Message);
                }
                Assert.Throws<VolactException>(() => store.Add(Gvlk, null, (KeyKind)9, "", T0));
            }
        }

        [Test]
        public void GvlkDuplicateAndInvalidRefused()
        {
            using (UserCatalog catalog = Catalog())
            using (var store = new MakStore())
            {
                var g = Assert.Throws<MakStoreException>(() => store.Add(Gvlk, catalog, KeyKind.Mak, "", T0));
                Assert.AreEqual(VolactResult.MakGvlk, g.Code);
                AssertMasked(g.Message, Gvlk);
                store.Add(Twin, catalog, KeyKind.None, "", T0);
                var d = Assert.Throws<MakStoreException>(() => store.Add(Twin.ToLowerInvariant(), catalog, KeyKind.None, "", T0));
                Assert.AreEqual(VolactResult.MakDuplicate, d.Code);
                AssertMasked(d.Message);
                var k = Assert.Throws<InvalidProductKeyException>(() => store.Add("VKCF7-HV62C-944TY-YJ9NF-6Q83H", null, KeyKind.Mak, "", T0));
                AssertMasked(k.Message, "VKCF7-HV62C-944TY-YJ9NF-6Q83H");
                Assert.AreEqual(VolactResult.NotFound, Assert.Throws<VolactException>(() => store.Get("ffff")).Code);
                Assert.Throws<ArgumentNullException>(() => store.Add(null, catalog, KeyKind.None, "", T0));
            }
        }

        [Test]
        public void SnapshotsInTimeOrderAndRemove()
        {
            using (var store = new MakStore())
            {
                string entry = store.Add(Twin, null, KeyKind.Mak, "", T0);
                string id = entry.Substring(7, 12);
                store.RecordCount(id, 100, T0 + 200);
                store.RecordCount("6Q83G", 120, T0 + 100);
                string last = store.RecordCount(Masked, 90, T0 + 300);
                StringAssert.Contains("\"remaining\":90,", last);
                int a = last.IndexOf("\"remaining\":120,", StringComparison.Ordinal);
                int b = last.IndexOf("\"remaining\":100,", StringComparison.Ordinal);
                int c = last.LastIndexOf("\"remaining\":90,", StringComparison.Ordinal);
                Assert.IsTrue(a > 0 && a < b && b < c, last);
                store.Remove(id.Substring(0, 4));
                Assert.AreEqual("[]", store.List());
                Assert.AreEqual(VolactResult.NotFound, Assert.Throws<VolactException>(() => store.Remove(id)).Code);
            }
        }

        [Test]
        public void SaveIsOwnerOnlyAndLoadsBack()
        {
            string path = Path.Combine(dir, "sub", "maks.json");
            using (MakStore empty = MakStore.Load(path))
            {
                Assert.AreEqual("[]", empty.List());
            }
            string list;
            using (UserCatalog catalog = Catalog())
            using (var store = new MakStore())
            {
                store.Add(Twin, catalog, KeyKind.None, "Lab", T0);
                store.RecordCount("6Q83G", 42, T0 + 60);
                store.Save(path);
                list = store.List();
            }
            Assert.AreEqual("600", Run("stat", "-c %a \"" + path + "\""));
            using (MakStore loaded = MakStore.Load(path))
            {
                Assert.AreEqual(list, loaded.List());
            }
            Run("chmod", "644 \"" + path + "\"");
            var e = Assert.Throws<MakStoreException>(() => MakStore.Load(path));
            Assert.AreEqual(VolactResult.MakStoreExposed, e.Code);
            StringAssert.Contains("chmod 600", e.Message);
            AssertMasked(e.Message);
            string bad = Path.Combine(dir, "bad.json");
            File.WriteAllText(bad, "{\"format\":\"volact-mak-store\",\"version\":9,\"entries\":[]}");
            Run("chmod", "600 \"" + bad + "\"");
            Assert.AreEqual(VolactResult.MakStoreVersion, Assert.Throws<MakStoreException>(() => MakStore.Load(bad)).Code);
            File.WriteAllText(bad, "{\"format\":\"volact-mak-store\",\"version\":1,\"entries\":[{\"key\":\"" + Twin + "\"}]}");
            var f = Assert.Throws<MakStoreException>(() => MakStore.Load(bad));
            Assert.AreEqual(VolactResult.MakStoreFormat, f.Code);
            AssertMasked(f.Message);
        }

        [Test]
        public void LongEntryIsReadBackAfterAdd()
        {
            // Longer than Add's first buffer: the entry is in the store and read back once.
            string description = new string('d', 3000);
            using (var store = new MakStore())
            {
                string entry = store.Add(Twin, null, KeyKind.Csvlk, description, T0);
                StringAssert.Contains("\"kind\":\"csvlk\"", entry);
                StringAssert.Contains(description, entry);
                Assert.AreEqual("[" + entry + "]", store.List());
                AssertMasked(entry);
            }
        }

        [Test]
        public void DisposedStoreIsRefused()
        {
            var store = new MakStore();
            store.Dispose();
            store.Dispose();
            Assert.AreEqual("MakStore(disposed)", store.ToString());
            Assert.Throws<ObjectDisposedException>(() => store.List());
        }
    }
}
