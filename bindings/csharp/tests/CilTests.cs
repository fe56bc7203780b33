// Glue tests for CilDocument (NUnit 2.6): every wrapper reaches libvolact intact, with the
// error codes mapped to the right exceptions. The CIL logic itself is tested in Rust and by
// bindings/c/tests/c/test_cil.c; these run the same scenarios, fewer of them.
//
// The IIDs and CIDs are fictitious: seeded digits whose check digits are computed here with
// the published mod-7 rule. volact never generates real IDs.
using System;
using System.IO;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    internal static class Cil
    {
        public const string Name1 = "LAB-\u00DCn\u00EFc\u00F8d\u00E9-01";
        public const string Name2 = "LAB-PC-02";
        public const string Network = "ISOLATED-LAB";
        public const string Mac1 = "00-15-5D-0A-0B-0C";
        public const string Group = "Isolated Lab Group";
        public const string Computer1 = "{6F1A2B3C-0001-4D5E-8F90-A1B2C3D4E5F6}";
        public const string Computer2 = "{6F1A2B3C-0002-4D5E-8F90-A1B2C3D4E5F6}";
        public const string Sku = "{830691d5-5f5a-448d-9259-9f8d38bd9335}";

        public static readonly string Iid1 = MakeId(1, 9, 7);
        public static readonly string Iid2 = MakeId(2, 9, 7);
        public static readonly string IidOther = MakeId(3, 9, 7);
        public static readonly string Cid1 = MakeId(5, 8, 6);
        public static readonly string Cid2 = MakeId(6, 8, 6);

        // Everything that identifies a computer or is not proxy data.
        public static readonly string[] Identifying =
        {
            Name1, Name2, Network, Mac1, Group, "Workgroup", "urn:example:lab-inventory",
            "R7-secret-rack", "ASSET-4711", "kept as is", "volact-test", "\u5B9F\u9A13\u5BA4",
            "Volume:MAK", "8XJ3W",
        };

        // The mod-7 check digit: data digits weighted 1, 2, 1, 2, ... (volact_core::ids).
        private static char CheckDigit(string data)
        {
            int sum = 0;
            for (int i = 0; i < data.Length; i++)
            {
                sum += (data[i] - '0') * (i % 2 == 0 ? 1 : 2);
            }
            return (char)('0' + sum % 7);
        }

        // The same generator as test_cil.c, so both tests use the same fictitious IDs.
        public static string MakeId(uint seed, int groups, int groupLen)
        {
            uint x = unchecked(seed * 2654435761u + 12345u);
            var parts = new string[groups];
            for (int g = 0; g < groups; g++)
            {
                var data = new StringBuilder();
                for (int i = 0; i < groupLen - 1; i++)
                {
                    x = unchecked(x * 1103515245u + 12345u);
                    data.Append((char)('0' + (x >> 16) % 10));
                }
                parts[g] = data.ToString() + CheckDigit(data.ToString());
            }
            return string.Join("-", parts);
        }

        public static string Digits(string id)
        {
            return new string(id.Where(char.IsDigit).ToArray());
        }

        public static string Full(string encoding, string iid1)
        {
            return
                "<?xml version=\"1.0\" encoding=\"" + encoding + "\"?>\n" +
                "<!-- Computer Information List: \u5B9F\u9A13\u5BA4 \U0001F9EA (test data) -->\n" +
                "<?volact-test keep=\"this\"?>\n" +
                "<SoftwareLicensingData Version=\"2.0\" xmlns:x=\"urn:example:lab-inventory\">\n" +
                "  <Computers>\n" +
                "    <Computer Id=\"" + Computer1 + "\" Name=\"" + Name1 + "\" OSVersion=\"10.0.19045\" " +
                "OSEdition=\"Enterprise\" NetworkType=\"Workgroup\" NetworkName=\"" + Network + "\" x:rack=\"R7-secret-rack\">\n" +
                "      <MacAddresses>\n" +
                "        <MacAddress>" + Mac1 + "</MacAddress>\n" +
                "      </MacAddresses>\n" +
                "      <Groups>\n" +
                "        <Group>" + Group + "</Group>\n" +
                "      </Groups>\n" +
                "      <x:asset tag=\"ASSET-4711\"><![CDATA[<not markup> & kept as is]]></x:asset>\n" +
                "      <Products>\n" +
                "        <Product>\n" +
                "          <Sku Id=\"" + Sku + "\" Name=\"Windows(R), Enterprise edition\" />\n" +
                "          <LicenseStatus>5</LicenseStatus>\n" +
                "          <ProductKeyType>Volume:MAK</ProductKeyType>\n" +
                "          <PartialProductKey>8XJ3W</PartialProductKey>\n" +
                "          <InstallationId>" + iid1 + "</InstallationId>\n" +
                "        </Product>\n" +
                "      </Products>\n" +
                "    </Computer>\n" +
                "    <Computer Id=\"" + Computer2 + "\" Name=\"" + Name2 + "\" NetworkType=\"Workgroup\" NetworkName=\"" + Network + "\">\n" +
                "      <Products>\n" +
                "        <Product>\n" +
                "          <Sku Id=\"" + Sku + "\" />\n" +
                "          <InstallationId>" + Iid2 + "</InstallationId>\n" +
                "        </Product>\n" +
                "      </Products>\n" +
                "    </Computer>\n" +
                "  </Computers>\n" +
                "</SoftwareLicensingData>\n";
        }

        // Full() with the PendingConfirmationId volact adds after computer 1's IID.
        public static string Merged(string encoding)
        {
            string full = Full(encoding, Iid1);
            int at = full.IndexOf("</InstallationId>", StringComparison.Ordinal) + "</InstallationId>".Length;
            return full.Substring(0, at) + "\n          <PendingConfirmationId>" + Digits(Cid1) +
                "</PendingConfirmationId>" + full.Substring(at);
        }

        public static byte[] Utf8(string s)
        {
            return new UTF8Encoding(false).GetBytes(s);
        }

        // UTF-16LE with a BOM.
        public static byte[] Utf16(string s)
        {
            return Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(s)).ToArray();
        }
    }

    [TestFixture]
    public class CilTests
    {
        private string dir;

        [SetUp]
        public void MakeScratchDirectory()
        {
            string root = Environment.GetEnvironmentVariable("VOLACT_SCRATCH") ?? Path.GetTempPath();
            dir = Path.Combine(root, "volact-cil-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }

        [TearDown]
        public void RemoveScratchDirectory()
        {
            Directory.Delete(dir, true);
        }

        private string InScratch(string name)
        {
            return Path.Combine(dir, name);
        }

        [Test]
        public void Utf8RoundTripIsByteIdenticalThroughFiles()
        {
            byte[] input = Cil.Utf8(Cil.Full("utf-8", Cil.Iid1));
            using (CilDocument doc = CilDocument.Parse(input))
            {
                CollectionAssert.AreEqual(input, doc.ToBytes());
                string path = InScratch("round-trip.cil");
                doc.Save(path);
                CollectionAssert.AreEqual(input, File.ReadAllBytes(path));
                using (CilDocument loaded = CilDocument.Load(path))
                {
                    CollectionAssert.AreEqual(input, loaded.ToBytes());
                }
                CilSummary s = doc.Summary;
                Assert.AreEqual(2, s.Computers);
                Assert.AreEqual(2, s.Products);
                Assert.AreEqual(2, s.WithInstallationId);
                Assert.AreEqual(0, s.PendingCids);
                Assert.AreEqual(0, s.AppliedCids);
                string json = doc.ToJson();
                StringAssert.Contains("\"encoding\":\"UTF-8\"", json);
                StringAssert.Contains("\"name\":\"" + Cil.Name1 + "\"", json);
                StringAssert.Contains("\"groups\":[\"" + Cil.Group + "\"]", json);
            }
        }

        [Test]
        public void Utf16RoundTripAndMergeChangeOnlyTheCid()
        {
            byte[] input = Cil.Utf16(Cil.Full("utf-16", Cil.Iid1));
            using (CilDocument doc = CilDocument.Parse(input))
            {
                CollectionAssert.AreEqual(input, doc.ToBytes());
                StringAssert.Contains("\"encoding\":\"UTF-16LE\"", doc.ToJson());
                using (CilDocument proxy = doc.Export(ExportMode.ProxyOnly, false, false))
                {
                    byte[] exported = proxy.ToBytes();
                    Assert.AreEqual(0xFF, exported[0]);
                    Assert.AreEqual(0xFE, exported[1]);
                    StringAssert.Contains("\"outcome\":\"applied\"", proxy.AddCids(Cil.Iid1 + "," + Cil.Cid1 + "\n", false));
                    StringAssert.Contains("\"outcome\":\"applied\"", doc.Merge(proxy, false));
                }
                CollectionAssert.AreEqual(Cil.Utf16(Cil.Merged("utf-16")), doc.ToBytes());
            }
        }

        [Test]
        public void ProxyOnlyExportHasNothingIdentifying()
        {
            using (CilDocument doc = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1))))
            using (CilDocument proxy = doc.Export(ExportMode.ProxyOnly, false, false))
            {
                string text = Encoding.UTF8.GetString(proxy.ToBytes());
                foreach (string s in Cil.Identifying)
                {
                    StringAssert.DoesNotContain(s, text);
                }
                StringAssert.Contains("<Computer Id=\"" + Cil.Computer1 + "\">", text);
                StringAssert.Contains(Cil.Iid1, text);
                StringAssert.Contains(Cil.Iid2, text);
                Assert.IsNull(proxy.LastReport());

                string path = InScratch("proxy.cil");
                proxy.Save(path);
                CollectionAssert.AreEqual(proxy.ToBytes(), File.ReadAllBytes(path));
            }
        }

        [Test]
        public void StandardExportsAndRefusedOptions()
        {
            using (CilDocument doc = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1))))
            {
                using (CilDocument standard = doc.Export(ExportMode.Standard, false, false))
                {
                    string text = Encoding.UTF8.GetString(standard.ToBytes());
                    StringAssert.DoesNotContain(Cil.Name1, text);
                    StringAssert.Contains("NetworkType=\"None\"", text);
                    StringAssert.Contains("Volume:MAK", text);
                }
                using (CilDocument sensitive = doc.Export(ExportMode.Standard, true, false))
                {
                    string text = Encoding.UTF8.GetString(sensitive.ToBytes());
                    StringAssert.Contains(Cil.Name1, text);
                    StringAssert.Contains(Cil.Mac1, text);
                    StringAssert.DoesNotContain("R7-secret-rack", text);
                }
                var e = Assert.Throws<VolactException>(() => doc.Export(ExportMode.ProxyOnly, true, false));
                Assert.AreEqual(VolactResult.InvalidArgument, e.Code);
                StringAssert.Contains("include_sensitive", e.Message);
                e = Assert.Throws<VolactException>(() => doc.Export((ExportMode)7, false, false));
                Assert.AreEqual(VolactResult.InvalidArgument, e.Code);
                StringAssert.Contains("7", e.Message);
            }
        }

        [Test]
        public void AddCidsAndMergeReports()
        {
            using (CilDocument full = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1))))
            using (CilDocument returned = full.Export(ExportMode.ProxyOnly, false, false))
            {
                string csv = "installation_id,confirmation_id\n" +
                    Cil.Iid1.Replace('-', ' ') + "," + Cil.Cid1 + "\n" +
                    Cil.IidOther + "," + Cil.Cid2 + "\n";
                string report = returned.AddCids(csv, false);
                StringAssert.StartsWith("{\"rows\":[", report);
                StringAssert.Contains("\"outcome\":\"applied\"", report);
                StringAssert.Contains("\"outcome\":\"unknown_iid\"", report);
                Assert.AreEqual(report, returned.LastReport());
                Assert.AreEqual(1, returned.Summary.PendingCids);

                report = full.Merge(returned, false);
                StringAssert.StartsWith("{\"decisions\":[", report);
                StringAssert.Contains("\"outcome\":\"applied\"", report);
                StringAssert.Contains("\"matched_by\":\"id\"", report);
                Assert.AreEqual(Cil.Merged("utf-8"), Encoding.UTF8.GetString(full.ToBytes()));

                report = full.Merge(returned, false);
                StringAssert.Contains("\"outcome\":\"already_present\"", report);
                StringAssert.DoesNotContain("\"outcome\":\"applied\"", report);

                string mismatch =
                    "<SoftwareLicensingData Version=\"2.0\"><Computers>" +
                    "<Computer Id=\"" + Cil.Computer2 + "\"><Products><Product><Sku Id=\"" + Cil.Sku + "\"/>" +
                    "<InstallationId>" + Cil.IidOther + "</InstallationId>" +
                    "<PendingConfirmationId>" + Cil.Cid2 + "</PendingConfirmationId>" +
                    "</Product></Products></Computer></Computers></SoftwareLicensingData>";
                using (CilDocument other = CilDocument.Parse(Cil.Utf8(mismatch)))
                {
                    report = full.Merge(other, false);
                    StringAssert.Contains("\"outcome\":\"iid_mismatch\"", report);
                }
                Assert.AreEqual(Cil.Merged("utf-8"), Encoding.UTF8.GetString(full.ToBytes()));
                Assert.Throws<ArgumentNullException>(() => full.Merge(null, false));
                Assert.Throws<ArgumentNullException>(() => full.AddCids(null, false));
            }
        }

        [Test]
        public void Validation()
        {
            using (CilDocument good = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1))))
            {
                CilValidation v = good.Validate();
                Assert.IsTrue(v.IsValid);
                Assert.AreEqual(0, v.ErrorCount);
                Assert.AreEqual(0, v.WarningCount);
                StringAssert.Contains("\"valid\":true", v.Json);
            }
            // The first group's check digit off by one.
            char[] bad = Cil.Iid1.ToCharArray();
            bad[6] = bad[6] == '9' ? '0' : (char)(bad[6] + 1);
            string path = InScratch("bad-iid.cil");
            File.WriteAllBytes(path, Cil.Utf8(Cil.Full("utf-8", new string(bad))));
            using (CilDocument doc = CilDocument.Load(path))
            {
                CilValidation v = doc.Validate();
                Assert.IsFalse(v.IsValid);
                Assert.AreEqual(1, v.ErrorCount);
                StringAssert.Contains("\"valid\":false", v.Json);
                StringAssert.Contains("InstallationId: check digit wrong in group 1", v.Json);
                StringAssert.Contains("\"computer_id\":\"" + Cil.Computer1 + "\"", v.Json);
            }
        }

        private static InvalidCilException ParseFails(string text, VolactResult code)
        {
            var e = Assert.Throws<InvalidCilException>(() => CilDocument.Parse(Cil.Utf8(text)));
            Assert.AreEqual(code, e.Code);
            Assert.IsInstanceOf<VolactException>(e);
            return e;
        }

        [Test]
        public void ErrorsBecomeTypedExceptions()
        {
            StringAssert.Contains("<Inventory>", ParseFails("<Inventory/>", VolactResult.CilNotCil).Message);
            StringAssert.Contains("line 2", ParseFails("<SoftwareLicensingData>\n<a></SoftwareLicensingData>", VolactResult.CilXml).Message);
            ParseFails(string.Concat(Enumerable.Repeat("<a>", 300)) + string.Concat(Enumerable.Repeat("</a>", 300)), VolactResult.CilTooDeep);
            ParseFails("<SoftwareLicensingData><Computers><Computer Name=\"&e;\"/></Computers></SoftwareLicensingData>", VolactResult.CilValue);
            var enc = Assert.Throws<InvalidCilException>(() => CilDocument.Parse(new byte[] { 0x3C, 0x61, 0xFF, 0x3E }));
            Assert.AreEqual(VolactResult.CilEncoding, enc.Code);
            Assert.AreEqual(VolactResult.CilXml, Assert.Throws<InvalidCilException>(() => CilDocument.Parse(new byte[0])).Code);

            string missing = InScratch("missing.cil");
            var io = Assert.Throws<VolactIOException>(() => CilDocument.Load(missing));
            Assert.AreEqual(VolactResult.Io, io.Code);
            StringAssert.Contains("missing.cil", io.Message);

            string wrong = InScratch("wrong-root.cil");
            File.WriteAllText(wrong, "<Other/>");
            var notCil = Assert.Throws<InvalidCilException>(() => CilDocument.Load(wrong));
            Assert.AreEqual(VolactResult.CilNotCil, notCil.Code);
            StringAssert.Contains("wrong-root.cil", notCil.Message);

            using (CilDocument doc = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1))))
            {
                io = Assert.Throws<VolactIOException>(() => doc.Save(Path.Combine(dir, "no-such-dir", "out.cil")));
                Assert.AreEqual(VolactResult.Io, io.Code);
                Assert.Throws<ArgumentNullException>(() => doc.Save(null));
            }
            Assert.Throws<ArgumentNullException>(() => CilDocument.Parse(null));
            Assert.Throws<ArgumentNullException>(() => CilDocument.Load(null));

            Assert.AreEqual("CIL: malformed XML", Library.ResultMessage(VolactResult.CilXml));
            Assert.AreEqual("file: cannot be read or written", Library.ResultMessage(VolactResult.Io));
        }

        [Test]
        public void DisposeTwiceAndUseAfterDispose()
        {
            CilDocument doc = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1)));
            CilDocument other = CilDocument.Parse(Cil.Utf8(Cil.Full("utf-8", Cil.Iid1)));
            doc.Dispose();
            doc.Dispose();
            Assert.Throws<ObjectDisposedException>(() => doc.ToBytes());
            Assert.Throws<ObjectDisposedException>(() => { var unused = doc.Summary; });
            Assert.Throws<ObjectDisposedException>(() => other.Merge(doc, false));
            Assert.Throws<ObjectDisposedException>(() => doc.Merge(other, false));
            // Merging a document with itself works (libvolact merges from a copy).
            StringAssert.StartsWith("{\"decisions\":[", other.Merge(other, false));
            other.Dispose();
        }

        [Test]
        public void ManyDocumentsCanBeCreatedAndReleased()
        {
            byte[] input = Cil.Utf8(Cil.Full("utf-8", Cil.Iid1));
            for (int i = 0; i < 300; i++)
            {
                using (CilDocument doc = CilDocument.Parse(input))
                using (CilDocument proxy = doc.Export(ExportMode.ProxyOnly, false, false))
                {
                    Assert.AreEqual(2, proxy.Summary.Computers);
                }
            }
            for (int i = 0; i < 100; i++)
            {
                CilDocument.Parse(input);   // freed by the finalizer
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
