// Glue tests for the C# binding (NUnit 2.6): every wrapper call against published values,
// the error and buffer paths, handle lifetime (HeaderTests.cs: NativeMethods against volact.h).
// The logic is tested in Rust; these check that C# reaches it intact.
//
// Run: bindings/csharp/test.sh (from the repository root).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    // Published values: facts.md §1.3, §1.4, §2 and Microsoft's GVLK tables.
    internal static class Published
    {
        public const string Enterprise = "NPPR9-FWDCX-D2C8J-H872K-2YT43";        // group 3290
        public const string EnterpriseMasked = "XXXXX-XXXXX-XXXXX-XXXXX-2YT43";
        public const string Pro = "W269N-WFGWX-YVC9B-4J6C9-T83GX";               // group 3311
        public const string Win7Pro = "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4";           // pkey2005
        public const string EnterpriseTypo = "NPPR9-FWDCX-D2C8J-H872K-2YT44";    // checksum mismatch, decodes to 3291

        public const string XpIid = "070846-984606-199354-110900-862045-444713-121295-109842-549701";
        public const string OfficeIid = "020650770493837252929082195773527024195725809211989214";
        public const string Win10Iid = "253037440405119108201413961093786848722385303726677949056629205";
        public const string Win10EsuIid = "508760583450367066786558223034732344271525457574499727444472481";
        public const string XpCid = "204455-473963-727110-378854-169136-901266-745572";

        public const string OfficeEpid = "05426-00206-234-001162-03-1033-9200.0000-0992013";
        public const string Win10Epid = "03612-05150-000-025690-03-1033-19045.0000-2962025";
        public const string OemEpid = "03612-03305-317-008912-02-1033-9200.0000-0662023";

        // The groups of the Enterprise key, none of which may appear in a message or ToString.
        public static readonly string[] SecretGroups = { "NPPR9", "FWDCX", "D2C8J", "H872K" };

        public static void AssertNoKey(string text)
        {
            foreach (string g in SecretGroups)
            {
                StringAssert.DoesNotContain(g, text.ToUpperInvariant());
            }
        }

        // A 164-byte DigitalProductId with the Enterprise key at bytes 52..66 (facts §1.4).
        public static byte[] DigitalProductId()
        {
            var blob = new byte[164];
            blob[0] = 164;
            byte[] key = Hex("da0c30000000186367e01565be1908");
            Array.Copy(key, 0, blob, 52, key.Length);
            return blob;
        }

        public static byte[] Hex(string hex)
        {
            var bytes = new byte[hex.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
            }
            return bytes;
        }
    }

    [TestFixture]
    public class ProductKeyTests
    {
        [Test]
        public void ParsesAPublishedPkey2009Key()
        {
            using (ProductKey key = ProductKey.Parse(Published.Enterprise))
            {
                Assert.AreEqual(KeyAlgorithm.Pkey2009, key.Algorithm);
                Pkey2009Fields f = key.Pkey2009.Value;
                Assert.AreEqual(3290u, f.GroupId);
                Assert.AreEqual(3u, f.Serial);
                Assert.AreEqual(0x33, f.Checksum);
                Assert.AreEqual(0xF99457819D8C6UL, f.Security);
                Assert.IsFalse(f.Upgrade);
                Assert.IsFalse(f.Extra);
                Assert.AreEqual(Published.EnterpriseMasked, key.Masked);
                Assert.AreEqual("2YT43", key.Partial);
                Assert.AreEqual("Volume:GVLK", key.Channel);
                Assert.AreEqual(Published.Enterprise, key.Reveal());
            }
        }

        [Test]
        public void ParsesLowercaseAndSpacedInput()
        {
            using (ProductKey key = ProductKey.Parse("  nppr9fwdcx d2c8j-h872k-2yt43\n"))
            {
                Assert.AreEqual(Published.Enterprise, key.Reveal());
            }
        }

        [Test]
        public void ParsesTheProKey()
        {
            using (ProductKey key = ProductKey.Parse(Published.Pro))
            {
                Assert.AreEqual(3311u, key.Pkey2009.Value.GroupId);
                Assert.AreEqual(1u, key.Pkey2009.Value.Serial);
                Assert.AreEqual(0x25E, key.Pkey2009.Value.Checksum);
            }
        }

        [Test]
        public void Pkey2005KeyHasNoPkey2009Fields()
        {
            using (ProductKey key = ProductKey.Parse(Published.Win7Pro))
            {
                Assert.AreEqual(KeyAlgorithm.Pkey2005, key.Algorithm);
                Assert.IsNull(key.Pkey2009);
                Assert.AreEqual("GPDD4", key.Partial);
            }
        }

        [Test]
        public void CatalogRowsOfTheEnterpriseKey()
        {
            using (ProductKey key = ProductKey.Parse(Published.Enterprise))
            {
                string[] rows = key.CatalogRows.Select(r => r.Family + " " + r.Edition).ToArray();
                CollectionAssert.AreEquivalent(new[] { "Windows 11 Enterprise", "Windows 10 Enterprise" }, rows);
                foreach (CatalogRow r in key.CatalogRows)
                {
                    Assert.AreEqual(Published.Enterprise, r.Key);
                    Assert.AreSame(Catalog.Rows[r.Index], r);
                }
            }
        }

        [Test]
        public void KeyOutsideTheCatalogHasNoChannelAndNoRows()
        {
            // Valid syntax and checksum but not published: the "twin" of a GVLK (facts §1.3).
            using (ProductKey key = ProductKey.Parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G"))
            {
                Assert.AreEqual(3892u, key.Pkey2009.Value.GroupId);
                Assert.IsTrue(key.Pkey2009.Value.Extra);
                Assert.IsNull(key.Channel);
                Assert.AreEqual(0, key.CatalogRows.Count);
            }
        }

        [Test]
        public void FingerprintIsLowercaseSha256HexAndStable()
        {
            using (ProductKey a = ProductKey.Parse(Published.Enterprise))
            using (ProductKey b = ProductKey.Parse(Published.Enterprise.ToLowerInvariant()))
            using (ProductKey c = ProductKey.Parse(Published.Pro))
            {
                StringAssert.IsMatch("^[0-9a-f]{64}$", a.Fingerprint);
                Assert.AreEqual(a.Fingerprint, b.Fingerprint);
                Assert.AreNotEqual(a.Fingerprint, c.Fingerprint);
            }
        }

        [Test]
        public void ToStringIsMasked()
        {
            using (ProductKey key = ProductKey.Parse(Published.Enterprise))
            {
                Assert.AreEqual(Published.EnterpriseMasked, key.ToString());
                Assert.AreEqual(Published.EnterpriseMasked, string.Format("{0}", key));
                Published.AssertNoKey(key.ToString());
            }
        }

        [Test]
        public void TryParse()
        {
            ProductKey key;
            Assert.IsTrue(ProductKey.TryParse(Published.Enterprise, out key));
            using (key)
            {
                Assert.AreEqual(3290u, key.Pkey2009.Value.GroupId);
            }
            Assert.IsFalse(ProductKey.TryParse(Published.EnterpriseTypo, out key));
            Assert.IsNull(key);
            Assert.IsFalse(ProductKey.TryParse("", out key));
            Assert.IsFalse(ProductKey.TryParse(null, out key));
        }

        [Test]
        public void DisposeTwiceAndUseAfterDispose()
        {
            ProductKey key = ProductKey.Parse(Published.Enterprise);
            key.Dispose();
            key.Dispose();
            Assert.Throws<ObjectDisposedException>(() => { var unused = key.Masked; });
            Assert.Throws<ObjectDisposedException>(() => key.Reveal());
            Assert.Throws<ObjectDisposedException>(() => { var unused = key.Algorithm; });
            Assert.AreEqual("ProductKey (disposed)", key.ToString());
        }

        [Test]
        public void ManyKeysCanBeCreatedAndReleased()
        {
            for (int i = 0; i < 2000; i++)
            {
                using (ProductKey key = ProductKey.Parse(Published.Pro))
                {
                    Assert.AreEqual(KeyAlgorithm.Pkey2009, key.Algorithm);
                }
            }
            // Handles dropped without Dispose are freed by their finalizers.
            for (int i = 0; i < 200; i++)
            {
                ProductKey.Parse(Published.Pro);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        [Test]
        public void FromDigitalProductId()
        {
            using (ProductKey key = ProductKey.FromDigitalProductId(Published.DigitalProductId(), DpidLayout.DigitalProductId))
            {
                Assert.AreEqual(Published.Enterprise, key.Reveal());
                Assert.AreEqual(3290u, key.Pkey2009.Value.GroupId);
                Assert.AreEqual(Published.EnterpriseMasked, key.ToString());
            }
        }

        [Test]
        public void DigitalProductIdErrors()
        {
            // 164 bytes cannot hold DigitalProductId4's key at offset 808.
            var e = Assert.Throws<InvalidDigitalProductIdException>(() =>
                ProductKey.FromDigitalProductId(Published.DigitalProductId(), DpidLayout.DigitalProductId4));
            Assert.AreEqual(VolactResult.DpidTooShort, e.Code);
            StringAssert.Contains("164", e.Message);

            e = Assert.Throws<InvalidDigitalProductIdException>(() =>
                ProductKey.FromDigitalProductId(new byte[0], DpidLayout.DigitalProductId));
            Assert.AreEqual(VolactResult.DpidTooShort, e.Code);

            var v = Assert.Throws<VolactException>(() =>
                ProductKey.FromDigitalProductId(Published.DigitalProductId(), (DpidLayout)7));
            Assert.AreEqual(VolactResult.InvalidArgument, v.Code);
            StringAssert.Contains("7", v.Message);

            Assert.Throws<ArgumentNullException>(() => ProductKey.FromDigitalProductId(null, DpidLayout.DigitalProductId));
        }
    }

    [TestFixture]
    public class KeyErrorTests
    {
        private static InvalidProductKeyException ParseFails(string text, VolactResult code)
        {
            var e = Assert.Throws<InvalidProductKeyException>(() => ProductKey.Parse(text));
            Assert.AreEqual(code, e.Code);
            Assert.IsInstanceOf<VolactException>(e);
            Published.AssertNoKey(e.Message);
            Published.AssertNoKey(e.ToString());
            return e;
        }

        [Test]
        public void InvalidCharacterNamesItsPosition()
        {
            var e = ParseFails("NPPR9-FWDCX-D2C8J-H872K-2YT4O", VolactResult.KeyInvalidCharacter);
            StringAssert.Contains("at character 29", e.Message);
        }

        [Test]
        public void ChecksumMismatch()
        {
            var e = ParseFails(Published.EnterpriseTypo, VolactResult.KeyChecksum);
            StringAssert.Contains("checksum", e.Message);
        }

        [Test]
        public void WrongLength()
        {
            ParseFails("NPPR9-FWDCX", VolactResult.KeyLength);
            ParseFails("", VolactResult.KeyLength);
        }

        [Test]
        public void MultipleN()
        {
            var e = ParseFails("NNPR9-FWDCX-D2C8J-H872K-2YT43", VolactResult.KeyMultipleN);
            StringAssert.Contains("character 2", e.Message);
        }

        [Test]
        public void NInLastPosition()
        {
            var e = ParseFails("BBBBB-BBBBB-BBBBB-BBBBB-BBBBN", VolactResult.KeyNInLastPosition);
            StringAssert.Contains("character 29", e.Message);
        }

        [Test]
        public void NullTextIsAnArgumentError()
        {
            Assert.Throws<ArgumentNullException>(() => ProductKey.Parse(null));
        }
    }

    [TestFixture]
    public class KeyInspectorTests
    {
        [Test]
        public void ValidKey()
        {
            KeyInfo info = KeyInspector.Inspect(Published.Enterprise);
            Assert.IsTrue(info.Valid);
            Assert.AreEqual(VolactResult.Ok, info.Error);
            Assert.IsNull(info.ErrorPosition);
            Assert.IsNull(info.ErrorMessage);
            Assert.AreEqual(KeyAlgorithm.Pkey2009, info.Algorithm);
            Assert.AreEqual(3290u, info.Fields.Value.GroupId);
            Assert.AreEqual(0x33, info.Fields.Value.Checksum);
            Assert.AreEqual(Published.EnterpriseMasked, info.Masked);
            Published.AssertNoKey(info.ToString());
        }

        [Test]
        public void InvalidCharacter()
        {
            KeyInfo info = KeyInspector.Inspect("NPPR9-FWDCX-D2C8J-H872K-2YT4O");
            Assert.IsFalse(info.Valid);
            Assert.AreEqual(VolactResult.KeyInvalidCharacter, info.Error);
            Assert.AreEqual(28, info.ErrorPosition);
            Assert.AreEqual(KeyAlgorithm.None, info.Algorithm);
            Assert.IsNull(info.Fields);
            StringAssert.Contains("at character 29", info.ErrorMessage);
            Published.AssertNoKey(info.ErrorMessage);
            Published.AssertNoKey(info.Masked);
            Published.AssertNoKey(info.ToString());
        }

        [Test]
        public void ChecksumMismatchStillHasFields()
        {
            KeyInfo info = KeyInspector.Inspect(Published.EnterpriseTypo);
            Assert.AreEqual(VolactResult.KeyChecksum, info.Error);
            Assert.IsNull(info.ErrorPosition);
            Assert.AreEqual(KeyAlgorithm.Pkey2009, info.Algorithm);
            Assert.AreEqual(3291u, info.Fields.Value.GroupId);
            StringAssert.Contains("checksum", info.ErrorMessage);
        }

        [Test]
        public void PositionIsAnIndexIntoTheString()
        {
            // U+1F600 is one character for libvolact and two UTF-16 units for .NET; the
            // position is an index into the .NET string.
            string text = "B\U0001F600B";
            KeyInfo info = KeyInspector.Inspect(text);
            Assert.AreEqual(VolactResult.KeyInvalidCharacter, info.Error);
            Assert.AreEqual(1, info.ErrorPosition);
            Assert.IsTrue(char.IsHighSurrogate(text[info.ErrorPosition.Value]));
        }

        [Test]
        public void MaskText()
        {
            Assert.AreEqual(Published.EnterpriseMasked, KeyInspector.MaskText(Published.Enterprise));
            Published.AssertNoKey(KeyInspector.MaskText("NPPR9-FWDCX-D2C8J-H872K-2YT4O"));
        }

        [Test]
        public void EmptyText()
        {
            KeyInfo info = KeyInspector.Inspect("");
            Assert.AreEqual(VolactResult.KeyLength, info.Error);
        }
    }

    [TestFixture]
    public class BatchTests
    {
        [Test]
        public void ResultsLineUpWithTheInput()
        {
            var keys = new List<string>
            {
                Published.Enterprise,
                "not a key",
                "",
                Published.Pro,
                Published.EnterpriseTypo,
                Published.Win7Pro,
                "  w269n-wfgwx-yvc9b-4j6c9-t83gx\r",
            };
            KeyCheck[] r = Keys.CheckBatch(keys);
            Assert.AreEqual(keys.Count, r.Length);
            Assert.AreEqual(KeyStatus.ValidPkey2009, r[0].Status);
            Assert.AreEqual(3290u, r[0].GroupId);
            Assert.AreEqual(KeyStatus.Invalid, r[1].Status);
            Assert.AreEqual(0u, r[1].GroupId);
            Assert.AreEqual(KeyStatus.Invalid, r[2].Status);
            Assert.AreEqual(KeyStatus.ValidPkey2009, r[3].Status);
            Assert.AreEqual(3311u, r[3].GroupId);
            Assert.AreEqual(KeyStatus.ChecksumMismatch, r[4].Status);
            Assert.AreEqual(3291u, r[4].GroupId);
            Assert.AreEqual(KeyStatus.ValidPkey2005, r[5].Status);
            Assert.AreEqual(0u, r[5].GroupId);
            Assert.AreEqual(KeyStatus.ValidPkey2009, r[6].Status);
            Assert.AreEqual(3311u, r[6].GroupId);
        }

        [Test]
        public void EdgeSizes()
        {
            Assert.AreEqual(0, Keys.CheckBatch(new string[0]).Length);
            KeyCheck[] one = Keys.CheckBatch(new[] { "" });
            Assert.AreEqual(1, one.Length);
            Assert.AreEqual(KeyStatus.Invalid, one[0].Status);

            var many = Enumerable.Repeat(Published.Enterprise, 5000).ToArray();
            KeyCheck[] r = Keys.CheckBatch(many);
            Assert.AreEqual(5000, r.Length);
            Assert.IsTrue(r.All(c => c.Status == KeyStatus.ValidPkey2009 && c.GroupId == 3290u));
        }

        [Test]
        public void RefusesInputThatWouldMisalign()
        {
            Assert.Throws<ArgumentException>(() => Keys.CheckBatch(new[] { Published.Pro + "\n" + Published.Pro }));
            Assert.Throws<ArgumentException>(() => Keys.CheckBatch(new string[] { null }));
            Assert.Throws<ArgumentNullException>(() => Keys.CheckBatch(null));
        }
    }

    [TestFixture]
    public class IdTests
    {
        [Test]
        public void XpInstallationId()
        {
            IdInfo info = Ids.Check(Published.XpIid);
            Assert.IsTrue(info.Valid, info.ErrorMessage);
            Assert.AreEqual(IdKind.InstallationId, info.Kind);
            Assert.AreEqual(54, info.Digits);
            Assert.AreEqual(9, info.Groups);
            Assert.AreEqual(6, info.GroupLen);
            CollectionAssert.IsEmpty(info.BadGroups);
            Assert.IsTrue(info.RuleConfirmed);
            Assert.AreEqual(Published.XpIid, info.Canonical);
            Assert.IsNull(info.ErrorMessage);
            Assert.IsNull(info.ErrorPosition);
        }

        [Test]
        public void OfficeInstallationIdWithoutSeparators()
        {
            IdInfo info = Ids.Check(Published.OfficeIid);
            Assert.IsTrue(info.Valid, info.ErrorMessage);
            Assert.AreEqual(IdKind.InstallationId, info.Kind);
            Assert.AreEqual(9, info.Groups);
            Assert.AreEqual(6, info.GroupLen);
            Assert.AreEqual("020650-770493-837252-929082-195773-527024-195725-809211-989214", info.Canonical);
        }

        [Test]
        public void WindowsTenInstallationIdsHaveSevenDigitGroups()
        {
            foreach (string iid in new[] { Published.Win10Iid, Published.Win10EsuIid })
            {
                IdInfo info = Ids.Check(iid);
                Assert.IsTrue(info.Valid, info.ErrorMessage);
                Assert.AreEqual(IdKind.InstallationId, info.Kind);
                Assert.AreEqual(63, info.Digits);
                Assert.AreEqual(9, info.Groups);
                Assert.AreEqual(7, info.GroupLen);
                Assert.AreEqual(iid.Substring(0, 7) + "-" + iid.Substring(7, 7), info.Canonical.Substring(0, 15));
            }
        }

        [Test]
        public void XpConfirmationId()
        {
            IdInfo info = Ids.Check(Published.XpCid);
            Assert.IsTrue(info.Valid, info.ErrorMessage);
            Assert.AreEqual(IdKind.ConfirmationId, info.Kind);
            Assert.AreEqual(42, info.Digits);
            Assert.AreEqual(7, info.Groups);
            Assert.AreEqual(6, info.GroupLen);
            Assert.AreEqual(Published.XpCid, info.Canonical);
        }

        [Test]
        public void BadCheckDigitsAreListedByGroup()
        {
            // Group 2 (0-based) 199354 -> 199364: one data digit off, so its check digit fails.
            string bad = Published.XpIid.Replace("199354", "199364");
            IdInfo info = Ids.Check(bad);
            Assert.IsFalse(info.Valid);
            Assert.AreEqual(VolactResult.IdCheckDigit, info.Error);
            CollectionAssert.AreEqual(new[] { 2 }, info.BadGroups);
            Assert.AreEqual(bad, info.Canonical);
            StringAssert.Contains("group 3", info.ErrorMessage);
        }

        [Test]
        public void InvalidCharacterHasAPosition()
        {
            IdInfo info = Ids.Check("070846-98X606");
            Assert.AreEqual(VolactResult.IdInvalidCharacter, info.Error);
            Assert.AreEqual(9, info.ErrorPosition);
            StringAssert.Contains("at character 10", info.ErrorMessage);
            Assert.IsNull(info.Canonical);
        }

        [Test]
        public void UnknownLength()
        {
            IdInfo info = Ids.Check("12345");
            Assert.AreEqual(VolactResult.IdLength, info.Error);
            Assert.AreEqual(IdKind.Unknown, info.Kind);
            Assert.AreEqual(5, info.Digits);
            Assert.AreEqual(0, info.Groups);
            Assert.AreEqual(0, info.GroupLen);
            Assert.IsFalse(info.RuleConfirmed);
            Assert.IsNull(info.Canonical);
            StringAssert.Contains("5 digits", info.ErrorMessage);
        }
    }

    [TestFixture]
    public class EpidTests
    {
        [Test]
        public void OfficeKmsHostEpid()
        {
            Epid e = Epid.Parse(Published.OfficeEpid);
            Assert.AreEqual(5426u, e.Platform);
            Assert.AreEqual(206u, e.GroupId);
            Assert.AreEqual(234001162u, e.Serial);
            Assert.AreEqual(3, e.Channel);
            Assert.AreEqual(1033u, e.Lcid);
            Assert.AreEqual(9200u, e.Build);
            Assert.AreEqual(0u, e.BuildRevision);
            Assert.AreEqual(99, e.InstallDay);
            Assert.AreEqual(2013, e.InstallYear);
        }

        [Test]
        public void WindowsEpids()
        {
            Epid e = Epid.Parse(Published.Win10Epid);
            Assert.AreEqual(3612u, e.Platform);
            Assert.AreEqual(5150u, e.GroupId);
            Assert.AreEqual(25690u, e.Serial);
            Assert.AreEqual(19045u, e.Build);
            Assert.AreEqual(296, e.InstallDay);
            Assert.AreEqual(2025, e.InstallYear);

            e = Epid.Parse(Published.OemEpid);
            Assert.AreEqual(3305u, e.GroupId);
            Assert.AreEqual(317008912u, e.Serial);
            Assert.AreEqual(2, e.Channel);
            Assert.AreEqual(66, e.InstallDay);
            Assert.AreEqual(2023, e.InstallYear);
        }

        [Test]
        public void Errors()
        {
            var e = Assert.Throws<InvalidEpidException>(() => Epid.Parse("05426-00206"));
            Assert.AreEqual(VolactResult.EpidFieldCount, e.Code);
            Assert.IsNotEmpty(e.Message);

            e = Assert.Throws<InvalidEpidException>(() => Epid.Parse("05426-0020X-234-001162-03-1033-9200.0000-0992013"));
            Assert.AreEqual(VolactResult.EpidField, e.Code);
            StringAssert.Contains("at character 7", e.Message);

            e = Assert.Throws<InvalidEpidException>(() => Epid.Parse("05426-00206-234-001162-03-1033-9200.0000-3662023"));
            Assert.AreEqual(VolactResult.EpidDay, e.Code);
            StringAssert.Contains("366", e.Message);
        }
    }

    [TestFixture]
    public class CatalogTests
    {
        [Test]
        public void HasTheWholeTable()
        {
            Assert.AreEqual(167, Catalog.Count);
            Assert.AreEqual(167, Catalog.Rows.Count);
            for (int i = 0; i < Catalog.Rows.Count; i++)
            {
                CatalogRow r = Catalog.Rows[i];
                Assert.AreEqual(i, r.Index);
                Assert.IsNotEmpty(r.Family);
                Assert.IsNotEmpty(r.Edition);
                Assert.AreEqual(29, r.Key.Length);
            }
            Assert.IsTrue(Catalog.Rows.Any(r => r.Family == "Windows 11" && r.Edition == "Enterprise" && r.Key == Published.Enterprise));
            Assert.IsTrue(Catalog.Rows.Any(r => r.Family == "Windows 11" && r.Edition == "Pro" && r.Key == Published.Pro));
        }

        [Test]
        public void GvlkQuery()
        {
            IReadOnlyList<CatalogRow> hits = Catalog.Gvlk("windows 11 enterprise");
            Assert.Greater(hits.Count, 1);
            Assert.AreEqual("Windows 11", hits[0].Family);
            Assert.AreEqual("Enterprise", hits[0].Edition);
            Assert.AreEqual(Published.Enterprise, hits[0].Key);
            Assert.IsTrue(hits.All(r => (r.Family + " " + r.Edition).ToLowerInvariant().Contains("enterprise")));

            Assert.AreEqual(0, Catalog.Gvlk("no such edition").Count);
            Assert.AreEqual(0, Catalog.Gvlk("").Count);
            // More hits than the first array holds: the binding grows it.
            Assert.Greater(Catalog.Gvlk("windows").Count, 16);
        }

        [Test]
        public void GroupLabel()
        {
            Assert.AreEqual("Win 10 RTM Enterprise Volume:GVLK", Catalog.GroupLabel(3290));
            Assert.AreEqual("Win 10 RTM Professional Volume:GVLK", Catalog.GroupLabel(3311));
            Assert.IsNull(Catalog.GroupLabel(0xFFFFF));
        }
    }

    [TestFixture]
    public class GlueTests
    {
        [Test]
        public void LibraryVersionMatchesTheHeader()
        {
            Assert.AreEqual(Library.HeaderVersion.ToString(3), Library.Version);
        }

        [Test]
        public void ResultMessages()
        {
            Assert.AreEqual("product key: checksum mismatch", Library.ResultMessage(VolactResult.KeyChecksum));
            Assert.AreEqual("unknown result code", Library.ResultMessage((VolactResult)12345));
        }

        [Test]
        public void TextOutRetriesWithTheNeededSize()
        {
            using (ProductKey key = ProductKey.Parse(Published.Enterprise))
            {
                ProductKeyHandle h = HandleOf(key);
                string text;
                VolactResult r = Interop.ReadText(
                    (byte[] b, UIntPtr l, out UIntPtr n) => NativeMethods.volact_product_key_fingerprint(h, b, l, out n),
                    1,
                    out text);
                Assert.AreEqual(VolactResult.Ok, r);
                Assert.AreEqual(key.Fingerprint, text);
                Assert.AreEqual(64, text.Length);
            }
        }

        [Test]
        public void IndicesOutRetriesWithTheNeededSize()
        {
            using (ProductKey key = ProductKey.Parse(Published.Enterprise))
            {
                ProductKeyHandle h = HandleOf(key);
                int[] rows = Interop.ReadIndices(
                    (UIntPtr[] ix, UIntPtr cap, out UIntPtr n) => NativeMethods.volact_product_key_catalog_rows(h, ix, cap, out n),
                    1);
                CollectionAssert.AreEqual(key.CatalogRows.Select(r => r.Index).ToArray(), rows);
                Assert.AreEqual(2, rows.Length);
            }
        }

        [Test]
        public void ErrorsOnOtherThreadsStayThere()
        {
            // volact_last_error_message is per thread: a failure elsewhere must not leak in.
            var ex = Assert.Throws<InvalidProductKeyException>(() => ProductKey.Parse("NPPR9-FWDCX"));
            string other = null;
            var t = new System.Threading.Thread(() =>
            {
                try { Epid.Parse("x"); } catch (InvalidEpidException e) { other = e.Message; }
            });
            t.Start();
            t.Join();
            Assert.IsNotNull(other);
            var again = Assert.Throws<InvalidProductKeyException>(() => ProductKey.Parse("NPPR9-FWDCX"));
            Assert.AreEqual(ex.Message, again.Message);
            Assert.AreNotEqual(other, again.Message);
        }

        private static ProductKeyHandle HandleOf(ProductKey key)
        {
            return (ProductKeyHandle)typeof(ProductKey)
                .GetField("handle", BindingFlags.NonPublic | BindingFlags.Instance)
                .GetValue(key);
        }
    }
}
