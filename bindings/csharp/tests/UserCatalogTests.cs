// Glue tests for the user catalog wrapper (NUnit 2.6): pkeyconfig import, classification,
// hostile files as InvalidCatalogFileException with their 10xx codes, save/load, masking.
// The logic is tested in Rust and by bindings/c/tests/c/test_user_catalog.c. The pkeyconfig
// files are the core's fictitious test files (crates/volact/tests/data/pkeyconfig/README.md).
using System;
using System.IO;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    [TestFixture]
    public class UserCatalogTests
    {
        // The Enterprise GVLK's published twin: group 3892 serial 1, not a GVLK; the test files
        // give group 3892 a fictitious Volume:MAK configuration.
        private const string Twin = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
        private const string Gvlk = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
        private string dir;

        private static string Data(string name)
        {
            string repo = Environment.GetEnvironmentVariable("VOLACT_REPO") ?? Directory.GetCurrentDirectory();
            return Path.Combine(repo, "crates/volact/tests/data/pkeyconfig", name);
        }

        private static string Import(UserCatalog catalog, string name)
        {
            return catalog.ImportPkeyconfig(File.ReadAllBytes(Data(name)), Path.GetFileName(name));
        }

        [SetUp]
        public void MakeScratchDirectory()
        {
            string root = Environment.GetEnvironmentVariable("VOLACT_SCRATCH") ?? Path.GetTempPath();
            dir = Path.Combine(root, "volact-catalog-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }

        [TearDown]
        public void RemoveScratchDirectory()
        {
            Directory.Delete(dir, true);
        }

        [Test]
        public void EmptyCatalogKnowsGvlksOnly()
        {
            using (var catalog = new UserCatalog())
            {
                Assert.AreEqual(0, catalog.ConfigurationCount);
                StringAssert.StartsWith("{\"source\":\"gvlk\",\"source_file\":null,\"channel\":\"Volume:GVLK\"", catalog.Classify(Gvlk));
                Assert.AreEqual(
                    "{\"source\":\"unknown\",\"source_file\":null,\"channel\":null,\"channel_kind\":null," +
                    "\"edition\":null,\"description\":null,\"act_config_id\":null,\"part_number\":null}",
                    catalog.Classify(Twin));
            }
        }

        [Test]
        public void ImportClassifiesTheTwinAsMakAndNeverShowsTheKey()
        {
            using (var catalog = new UserCatalog())
            {
                string report = Import(catalog, "mak-retail-oem.xrm-ms");
                StringAssert.StartsWith("{\"file\":\"mak-retail-oem.xrm-ms\",\"configurations\":3,\"key_ranges\":4,", report);
                StringAssert.EndsWith("\"replaced\":[],\"orphan_ranges\":1}", report);
                Assert.AreEqual(3, catalog.ConfigurationCount);
                string json = catalog.Classify("vkcf7 hv62c 944ty yj9nf 6q83g");
                StringAssert.Contains("\"source\":\"user_catalog\",\"source_file\":\"mak-retail-oem.xrm-ms\"", json);
                StringAssert.Contains("\"channel\":\"Volume:MAK\",\"channel_kind\":\"mak\"", json);
                StringAssert.Contains("\"part_number\":\"X00-00001\"", json);
                StringAssert.DoesNotContain("VKCF7", json.ToUpperInvariant());
                StringAssert.Contains("\"replaced\":[\"{0f1c7e57-0000-4000-8000-00000000a001}\"]", Import(catalog, "mak-newer.xrm-ms"));
                Assert.AreEqual("UserCatalog(configurations=3)", catalog.ToString());
            }
        }

        [Test]
        public void HostileFilesRaiseTheirCodesAndImportNothing()
        {
            var cases = new[]
            {
                Tuple.Create("hostile/not-xml.xrm-ms", VolactResult.PkeyconfigXml),
                Tuple.Create("hostile/dtd.xrm-ms", VolactResult.PkeyconfigDtd),
                Tuple.Create("hostile/undeclared-entity.xrm-ms", VolactResult.PkeyconfigDtd),
                Tuple.Create("hostile/deep.xrm-ms", VolactResult.PkeyconfigTooDeep),
                Tuple.Create("hostile/no-payload.xrm-ms", VolactResult.PkeyconfigNotPkeyconfig),
                Tuple.Create("hostile/bad-base64.xrm-ms", VolactResult.PkeyconfigBase64),
                Tuple.Create("hostile/missing-group.xrm-ms", VolactResult.PkeyconfigMissingField),
                Tuple.Create("hostile/end-before-start.xrm-ms", VolactResult.PkeyconfigBadValue),
            };
            using (var catalog = new UserCatalog())
            {
                foreach (var c in cases)
                {
                    var e = Assert.Throws<InvalidCatalogFileException>(() => Import(catalog, c.Item1), c.Item1);
                    Assert.AreEqual(c.Item2, e.Code, c.Item1);
                    StringAssert.Contains(Path.GetFileName(c.Item1), e.Message);
                }
                Assert.AreEqual(0, catalog.ConfigurationCount);
            }
        }

        [Test]
        public void InvalidKeysRaiseWithoutTheKey()
        {
            using (var catalog = new UserCatalog())
            {
                var e = Assert.Throws<InvalidProductKeyException>(() => catalog.Classify("VKCF7-HV62C-944TY-YJ9NF-6Q83H"));
                Assert.AreEqual(VolactResult.KeyChecksum, e.Code);
                StringAssert.DoesNotContain("HV62C", e.Message);
                Assert.Throws<ArgumentNullException>(() => catalog.Classify(null));
            }
        }

        [Test]
        public void SaveAndLoadRoundTrip()
        {
            string path = Path.Combine(dir, "nested", "catalog.json");
            using (var catalog = new UserCatalog())
            {
                Import(catalog, "mak-retail-oem.xrm-ms");
                catalog.Save(path);
            }
            StringAssert.Contains("\"format\": \"volact-user-catalog\"", File.ReadAllText(path));
            using (var loaded = UserCatalog.Load(path))
            {
                Assert.AreEqual(3, loaded.ConfigurationCount);
                StringAssert.Contains("\"channel_kind\":\"mak\"", loaded.Classify(Twin));
            }

            var missing = Assert.Throws<VolactException>(() => UserCatalog.Load(Path.Combine(dir, "missing.json")));
            Assert.AreEqual(VolactResult.NotFound, missing.Code);
            string bad = Path.Combine(dir, "bad.json");
            File.WriteAllText(bad, "[]");
            var format = Assert.Throws<InvalidCatalogFileException>(() => UserCatalog.Load(bad));
            Assert.AreEqual(VolactResult.UserCatalogFormat, format.Code);
            File.WriteAllText(bad, "{\"format\":\"volact-user-catalog\",\"version\":9,\"configurations\":[],\"public_keys\":[]}");
            Assert.AreEqual(VolactResult.UserCatalogVersion, Assert.Throws<InvalidCatalogFileException>(() => UserCatalog.Load(bad)).Code);
            Assert.Throws<VolactIOException>(() => UserCatalog.Load(dir));
        }

        [Test]
        public void DisposedCatalogThrows()
        {
            var catalog = new UserCatalog();
            catalog.Dispose();
            catalog.Dispose();
            Assert.Throws<ObjectDisposedException>(() => catalog.Classify(Gvlk));
            Assert.AreEqual("UserCatalog(disposed)", catalog.ToString());
        }
    }
}
