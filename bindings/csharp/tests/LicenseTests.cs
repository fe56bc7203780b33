// Glue tests for the licensing wrappers (NUnit 2.6): each reaches libvolact intact, with the
// 9xx codes mapped to LicenseValueException. The logic is tested in Rust and by
// bindings/c/tests/c/test_license.c.
using System;
using System.Linq;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    [TestFixture]
    public class LicenseTests
    {
        private static readonly string[] Names =
        {
            "Unlicensed", "Licensed", "OOBGrace", "OOTGrace", "NonGenuineGrace", "Notification", "ExtendedGrace",
        };

        [Test]
        public void StatusesHaveTheirWmiNamesAndDliTexts()
        {
            for (uint v = 0; v < 7; v++)
            {
                LicenseStatus s = License.FromWmi(v);
                Assert.AreEqual(v, (uint)s);
                Assert.AreEqual(Names[v], License.Name(s));
            }
            Assert.AreEqual("Initial grace period", License.DliText(LicenseStatus.OobGrace));
            Assert.AreEqual("Additional grace period (KMS license expired or hardware out of tolerance)",
                License.DliText(LicenseStatus.OotGrace));
        }

        [Test]
        public void StatusSevenIsRefused()
        {
            var e = Assert.Throws<LicenseValueException>(() => License.FromWmi(7));
            Assert.AreEqual(VolactResult.LicenseStatusValue, e.Code);
            StringAssert.Contains("license status 7 is not a LicenseStatus value (0 to 6)", e.Message);
            Assert.Throws<LicenseValueException>(() => License.DliText((LicenseStatus)uint.MaxValue));
        }

        [Test]
        public void Intervals()
        {
            Assert.AreEqual(15u, Policy.CheckInterval(15));
            Assert.AreEqual(43200u, Policy.CheckInterval(43200));
            Assert.AreEqual(10080u, Policy.ParseInterval(" 10080\n"));
            foreach (ulong bad in new ulong[] { 0, 14, 43201, ulong.MaxValue })
            {
                var e = Assert.Throws<LicenseValueException>(() => Policy.CheckInterval(bad));
                Assert.AreEqual(VolactResult.LicenseIntervalRange, e.Code);
                StringAssert.Contains("interval of " + bad + " minutes is outside 15..=43200", e.Message);
            }
            var t = Assert.Throws<LicenseValueException>(() => Policy.ParseInterval("7d"));
            Assert.AreEqual(VolactResult.LicenseIntervalText, t.Code);
            StringAssert.Contains("\"7d\" is not a whole number of minutes", t.Message);
            Assert.AreEqual(VolactResult.LicenseIntervalRange,
                Assert.Throws<LicenseValueException>(() => Policy.ParseInterval("14")).Code);
            Assert.Throws<ArgumentNullException>(() => Policy.ParseInterval(null));
        }

        [Test]
        public void ExplainsEverySpelling()
        {
            foreach (string spelling in new[] { "0xC004F074", "c004f074", "3221549172", "-1073418124" })
            {
                ErrorExplanation e = ErrorCodes.Explain(spelling);
                Assert.AreEqual(0xC004F074u, e.Code, spelling);
                Assert.AreEqual("0xC004F074", e.Hex);
                Assert.AreEqual("KMS client", e.AppliesTo);
                StringAssert.Contains("No Key Management Service (KMS) could be contacted", e.Message);
                StringAssert.StartsWith("https://learn.microsoft.com/", e.Source);
            }
            Assert.AreEqual(0xC004F074u, ErrorCodes.Explain(-1073418124L).Code);
            Assert.AreEqual(0xC004F074u, ErrorCodes.Explain(0xC004F074L).Code);
            ErrorExplanation stuck = ErrorCodes.Explain("-1073418184");
            StringAssert.Contains("sysprep /generalize", stuck.Cause);
            StringAssert.Contains("slmgr /dli", stuck.Fix);
        }

        [Test]
        public void UnknownAndUnparsableCodesThrow()
        {
            var unknown = Assert.Throws<LicenseValueException>(() => ErrorCodes.Explain("0x12345678"));
            Assert.AreEqual(VolactResult.LicenseErrorCodeUnknown, unknown.Code);
            Assert.AreEqual("0x12345678 is not in volact's table of activation error codes", unknown.Message);
            foreach (string bad in new[] { "hello", "", "4294967296" })
            {
                var e = Assert.Throws<LicenseValueException>(() => ErrorCodes.Explain(bad));
                Assert.AreEqual(VolactResult.LicenseErrorCodeText, e.Code, bad);
            }
            Assert.AreEqual(VolactResult.LicenseErrorCodeUnknown,
                Assert.Throws<LicenseValueException>(() => ErrorCodes.ExplainJson("0x5")).Code);
            Assert.Throws<ArgumentNullException>(() => ErrorCodes.Explain(null));
        }

        [Test]
        public void ExplainJsonIsTheClisRecord()
        {
            string json = ErrorCodes.ExplainJson("c004f038");
            StringAssert.StartsWith("{\"input\":\"c004f038\",\"known\":true,\"code\":\"0xC004F038\",\"message\":\"", json);
            StringAssert.EndsWith(",\"error\":null}", json);
        }

        [Test]
        public void TheWholeTable()
        {
            var all = ErrorCodes.All;
            Assert.GreaterOrEqual(all.Count, 30);
            CollectionAssert.IsOrdered(all.Select(e => e.Code).ToList());
            foreach (ErrorExplanation e in all)
            {
                Assert.AreEqual(e.Code, ErrorCodes.Explain(e.Hex).Code);
                Assert.IsNotEmpty(e.Cause);
                Assert.IsNotEmpty(e.Fix);
            }
        }

        private static string Scenario(int clients)
        {
            return "[simulation]\nseed = 5\ndays = 40\n" +
                   "[[kms]]\nhost = \"kms-1.contoso.com\"\nkeys = [\"windows7-server-b\"]\n" +
                   "[[clients]]\nname = \"c\"\ncount = " + clients +
                   "\nproduct = \"windows7\"\ndomain = \"contoso.com\"\n";
        }

        [Test]
        public void FleetRunShowsTheThresholdAndNamesBadLines()
        {
            StringAssert.Contains("\"end_status\":{\"not_deployed\":0,\"licensed\":25,", Fleet.Run(Scenario(25)));
            string at24 = Fleet.Run(Scenario(24));
            StringAssert.Contains("\"notification\":24", at24);
            StringAssert.Contains("\"code\":\"0xC004F038\"", at24);
            Assert.AreEqual(at24, Fleet.Run(Scenario(24)));
            var e = Assert.Throws<LicenseValueException>(() => Fleet.Run("[simulation]\nseed = 1\ndays = -3\n"));
            Assert.AreEqual(VolactResult.FleetScenario, e.Code);
            StringAssert.Contains("line 3", e.Message);
        }
    }
}
