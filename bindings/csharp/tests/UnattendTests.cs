// Glue tests for the Unattend wrapper (NUnit 2.6) with the core's answer files
// (crates/volact/tests/data/unattend): the report with masked keys (a MAK known through a
// user catalog), set-key and scrub round trips byte for byte outside the key spans, no key
// after a scrub, UTF-16 written back in UTF-16, refusals as UnattendException (a DTD: 1302)
// and invalid keys as InvalidProductKeyException without the key. The logic is tested in Rust
// and by bindings/c/tests/c/test_unattend.c.
using System;
using System.IO;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    [TestFixture]
    public class UnattendTests
    {
        private const string Mak = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
        private const string GvlkEnterprise = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
        private const string GvlkPro = "W269N-WFGWX-YVC9B-4J6C9-T83GX";
        private const string Scrubbed = "SENSITIVE*DATA*DELETED";

        private static string Repo()
        {
            return Environment.GetEnvironmentVariable("VOLACT_REPO") ?? Directory.GetCurrentDirectory();
        }

        private static byte[] Fixture(string name)
        {
            return File.ReadAllBytes(Path.Combine(Repo(), "crates/volact/tests/data/unattend", name));
        }

        private static string Utf8(byte[] b)
        {
            return Encoding.UTF8.GetString(b);
        }

        // `text` with each (old, new) replaced once, in order, each after the previous one.
        private static string Replaced(string text, params string[] edits)
        {
            int from = 0;
            for (int i = 0; i < edits.Length; i += 2)
            {
                int at = text.IndexOf(edits[i], from, StringComparison.Ordinal);
                Assert.GreaterOrEqual(at, 0, edits[i] + " not found");
                text = text.Substring(0, at) + edits[i + 1] + text.Substring(at + edits[i].Length);
                from = at + edits[i + 1].Length;
            }
            return text;
        }

        private static void AssertNoMak(string text)
        {
            foreach (string group in Mak.Split('-').Take(4))
            {
                StringAssert.DoesNotContain(group, text);
            }
        }

        [Test]
        public void ShowListsThePlacesWithMaskedKeys()
        {
            string report = Unattend.Show(Fixture("mak-both-places.xml"));
            StringAssert.Contains("\"kind\": \"setup_user_data\"", report);
            StringAssert.Contains("\"kind\": \"shell_setup\"", report);
            StringAssert.Contains("\"kind\": \"other_text\"", report);
            StringAssert.Contains("\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\",\n        \"kind\": \"unknown\"", report);
            StringAssert.Contains("stored in clear text in this file", report);
            AssertNoMak(report);

            using (var catalog = new UserCatalog())
            {
                catalog.ImportPkeyconfig(
                    File.ReadAllBytes(Path.Combine(Repo(), "crates/volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms")),
                    "mak-retail-oem.xrm-ms");
                report = Unattend.Show(Fixture("mak-both-places.xml"), catalog);
                StringAssert.Contains("\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\",\n        \"kind\": \"mak\"", report);
            }

            report = Unattend.Show(Fixture("gvlk-specialize-only.xml"));
            StringAssert.Contains("\"state\": \"empty\"", report);
            StringAssert.Contains("\"kind\": \"gvlk\"", report);
            StringAssert.Contains("\"Windows 11 Enterprise\"", report);
            StringAssert.DoesNotContain("FWDCX", report);
        }

        [Test]
        public void SetKeyChangesOnlySetupsPlaces()
        {
            byte[] file = Fixture("mak-both-places.xml");
            string after = Utf8(Unattend.SetKey(file, GvlkPro));
            // The command line's key is not a place setup reads the product key from.
            Assert.AreEqual(Replaced(Utf8(file), Mak, GvlkPro, Mak, GvlkPro), after);

            byte[] gvlk = Fixture("gvlk-specialize-only.xml");
            after = Utf8(Unattend.SetKey(gvlk, "w269n wfgwx yvc9b 4j6c9 t83gx"));
            Assert.AreEqual(Replaced(Utf8(gvlk), "<Key/>", "<Key>" + GvlkPro + "</Key>", GvlkEnterprise, GvlkPro), after);
            StringAssert.Contains("\"kind\": \"gvlk\"", Unattend.Show(Encoding.UTF8.GetBytes(after)));
        }

        [Test]
        public void ScrubLeavesNoKeyAndNothingElseChanged()
        {
            byte[] file = Fixture("mak-both-places.xml");
            byte[] scrubbed = Unattend.Scrub(file);
            string text = Utf8(scrubbed);
            Assert.AreEqual(Replaced(Utf8(file), Mak, Scrubbed, Mak, Scrubbed, Mak, Scrubbed), text);
            AssertNoMak(text);
            StringAssert.DoesNotContain("6Q83G", text);
            string report = Unattend.Show(scrubbed);
            StringAssert.Contains("\"state\": \"scrubbed\"", report);
            StringAssert.DoesNotContain("\"state\": \"key\"", report);
            CollectionAssert.AreEqual(scrubbed, Unattend.Scrub(scrubbed), "scrubbing again changes nothing");

            // The key set, then scrubbed: no key left.
            text = Utf8(Unattend.Scrub(Unattend.SetKey(Fixture("gvlk-specialize-only.xml"), Mak)));
            AssertNoMak(text);
            StringAssert.Contains("<Key>" + Scrubbed + "</Key>", text);
        }

        [Test]
        public void Utf16FilesAreWrittenBackInUtf16()
        {
            string text = Utf8(Fixture("mak-both-places.xml"));
            foreach (Encoding enc in new Encoding[] { new UnicodeEncoding(false, true), new UnicodeEncoding(true, true) })
            {
                byte[] file = enc.GetPreamble().Concat(enc.GetBytes(text)).ToArray();
                byte[] expected = enc.GetPreamble().Concat(enc.GetBytes(Replaced(text, Mak, Scrubbed, Mak, Scrubbed, Mak, Scrubbed))).ToArray();
                CollectionAssert.AreEqual(expected, Unattend.Scrub(file));
                expected = enc.GetPreamble().Concat(enc.GetBytes(Replaced(text, Mak, GvlkPro, Mak, GvlkPro))).ToArray();
                CollectionAssert.AreEqual(expected, Unattend.SetKey(file, GvlkPro));
                StringAssert.Contains("XXXXX-XXXXX-XXXXX-XXXXX-6Q83G", Unattend.Show(file));
            }
        }

        [Test]
        public void RefusedFilesAreUnattendExceptions()
        {
            byte[] dtd = Encoding.UTF8.GetBytes("<!DOCTYPE unattend [<!ENTITY k \"" + Mak + "\">]><unattend/>");
            var e = Assert.Throws<UnattendException>(() => Unattend.Show(dtd));
            Assert.AreEqual(VolactResult.UnattendDtd, e.Code);
            Assert.AreEqual(1302u, (uint)e.Code);
            StringAssert.Contains("DTDs are not accepted", e.Message);
            Assert.AreEqual(VolactResult.UnattendDtd, Assert.Throws<UnattendException>(() => Unattend.Scrub(dtd)).Code);
            Assert.AreEqual(VolactResult.UnattendDtd, Assert.Throws<UnattendException>(() => Unattend.SetKey(dtd, GvlkPro)).Code);

            Assert.AreEqual(VolactResult.UnattendEncoding,
                Assert.Throws<UnattendException>(() => Unattend.Show(new byte[] { 0xFF, 0xFE, 0x3C })).Code);
            Assert.AreEqual(VolactResult.UnattendXml,
                Assert.Throws<UnattendException>(() => Unattend.Scrub(Encoding.UTF8.GetBytes("<unattend><settings>"))).Code);
            Assert.AreEqual(VolactResult.UnattendNotUnattend,
                Assert.Throws<UnattendException>(() => Unattend.Show(Encoding.UTF8.GetBytes("<SoftwareLicensingData/>"))).Code);
            Assert.AreEqual(VolactResult.UnattendNotUnattend,
                Assert.Throws<UnattendException>(() => Unattend.Show(new byte[0])).Code);
            Assert.AreEqual(VolactResult.UnattendTooLarge,
                Assert.Throws<UnattendException>(() => Unattend.Scrub(new byte[(8 << 20) + 1])).Code);
            e = Assert.Throws<UnattendException>(() => Unattend.SetKey(Encoding.UTF8.GetBytes("<unattend/>"), GvlkPro));
            Assert.AreEqual(VolactResult.UnattendNoKeyPlace, e.Code);
            byte[] complex = Encoding.UTF8.GetBytes(
                "<unattend><settings pass=\"specialize\"><component name=\"Microsoft-Windows-Shell-Setup\">" +
                "<ProductKey><!-- c -->" + Mak + "</ProductKey></component></settings></unattend>");
            e = Assert.Throws<UnattendException>(() => Unattend.SetKey(complex, GvlkPro));
            Assert.AreEqual(VolactResult.UnattendComplexValue, e.Code);
            AssertNoMak(e.Message);
        }

        [Test]
        public void AnInvalidKeyIsAKeyExceptionWithoutTheKey()
        {
            byte[] file = Fixture("mak-both-places.xml");
            var e = Assert.Throws<InvalidProductKeyException>(() => Unattend.SetKey(file, "VKCF7-HV62C-944TY-YJ9NF-6Q83H"));
            Assert.AreEqual(VolactResult.KeyChecksum, e.Code);
            AssertNoMak(e.Message);
            Assert.AreEqual(VolactResult.KeyLength,
                Assert.Throws<InvalidProductKeyException>(() => Unattend.SetKey(file, "")).Code);
            Assert.Throws<ArgumentNullException>(() => Unattend.SetKey(file, null));
            Assert.Throws<ArgumentNullException>(() => Unattend.SetKey(null, GvlkPro));
            Assert.Throws<ArgumentNullException>(() => Unattend.Scrub(null));
            Assert.Throws<ArgumentNullException>(() => Unattend.Show(null));
        }
    }
}
