// NativeMethods against volact.h itself (NUnit 2.6): every function's name, parameter names
// and types, every enum number, the version macros, and the size and field offsets of every
// struct (printed by layout.c). A header change not mirrored in C# fails here.
//
// bindings/csharp/test.sh sets VOLACT_HEADER (path of volact.h) and VOLACT_LAYOUT.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Volact;

namespace Volact.Tests
{
    // NativeMethods against volact.h: a header change not mirrored in C# fails here.
    [TestFixture]
    public class HeaderTests
    {
        private static string Header()
        {
            string path = Environment.GetEnvironmentVariable("VOLACT_HEADER") ?? "bindings/c/include/volact.h";
            if (!File.Exists(path))
            {
                Assert.Ignore("volact.h not found (set VOLACT_HEADER)");
            }
            string text = File.ReadAllText(path);
            text = Regex.Replace(text, @"/\*.*?\*/", " ", RegexOptions.Singleline);
            return Regex.Replace(text, @"//[^\n]*", " ");
        }

        private static Dictionary<string, MethodInfo> Imports()
        {
            return typeof(NativeMethods)
                .GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                .Where(m => m.GetCustomAttributes(typeof(DllImportAttribute), false).Length > 0)
                .ToDictionary(m => m.Name);
        }

        private static string Pascal(string upperSnake)
        {
            return string.Concat(upperSnake.Split('_').Select(w => w.Substring(0, 1) + w.Substring(1).ToLowerInvariant()));
        }

        // Whether a C type from the header and the C# type of its declaration agree.
        private static bool SameType(string c, Type cs)
        {
            c = Regex.Replace(c.Replace("const ", "").Replace("struct ", ""), @"\s+", " ").Trim();
            switch (c)
            {
                case "void": return cs == typeof(void);
                case "volact_result": return cs == typeof(VolactResult);
                case "size_t": return cs == typeof(UIntPtr);
                case "uint32_t": return cs == typeof(uint);
                case "uint64_t": return cs == typeof(ulong);
                case "bool *": return cs == typeof(byte).MakeByRefType();   // one byte, see NativeMethods
                case "char *": return cs == typeof(byte[]) || cs == typeof(IntPtr);
                case "uint8_t *": return cs == typeof(byte[]);
                case "uint32_t *": return cs == typeof(uint[]) || cs == typeof(uint).MakeByRefType();
                case "size_t *": return cs == typeof(UIntPtr[]) || cs == typeof(UIntPtr).MakeByRefType();
                case "volact_algorithm *": return cs == typeof(KeyAlgorithm).MakeByRefType();
                case "volact_product_key *": return cs == typeof(ProductKeyHandle) || cs == typeof(IntPtr);
                case "volact_product_key **": return cs == typeof(IntPtr).MakeByRefType();
                case "bool": return cs == typeof(bool);   // with [MarshalAs(UnmanagedType.U1)], checked below
                case "volact_cil_document *": return cs == typeof(CilDocumentHandle) || cs == typeof(IntPtr);
                case "volact_cil_document **": return cs == typeof(IntPtr).MakeByRefType();
                case "volact_user_catalog *": return cs == typeof(UserCatalogHandle) || cs == typeof(IntPtr);
                case "volact_user_catalog **": return cs == typeof(IntPtr).MakeByRefType();
                case "volact_mak_store *": return cs == typeof(MakStoreHandle) || cs == typeof(IntPtr);
                case "volact_mak_store **": return cs == typeof(IntPtr).MakeByRefType();
                case "int64_t": return cs == typeof(long);
                // An array of callback tables (one per target), passed by pointer.
                case "volact_target_vtable *": return cs == typeof(NativeMethods.volact_target_vtable[]);
                // Opaque, and only ever the pointer a callback was given.
                case "volact_sink *": return cs == typeof(IntPtr);
            }
            Match m = Regex.Match(c, @"^(volact_\w+) \*$");
            if (m.Success)
            {
                Type s = typeof(NativeMethods).GetNestedType(m.Groups[1].Value, BindingFlags.NonPublic);
                return s != null && cs == s.MakeByRefType();
            }
            return false;
        }

        [Test]
        public void EveryFunctionIsDeclaredWithTheHeadersSignature()
        {
            Dictionary<string, MethodInfo> imports = Imports();
            var seen = new List<string>();
            foreach (Match m in Regex.Matches(Header(), @"([A-Za-z_][\w \*]*?)\s*\b(volact_\w+)\s*\(([^)]*)\)\s*;"))
            {
                string name = m.Groups[2].Value;
                seen.Add(name);
                Assert.IsTrue(imports.ContainsKey(name), name + " is in volact.h but not in NativeMethods");
                MethodInfo mi = imports[name];
                var attr = (DllImportAttribute)mi.GetCustomAttributes(typeof(DllImportAttribute), false)[0];
                Assert.AreEqual(CallingConvention.Cdecl, attr.CallingConvention, name);
                Assert.AreEqual("volact", attr.Value, name);

                string ret = m.Groups[1].Value.Trim();
                Assert.IsTrue(SameType(ret, mi.ReturnType), name + ": returns " + ret + ", C# " + mi.ReturnType);

                string args = m.Groups[3].Value.Trim();
                string[] cParams = args == "void" ? new string[0] : args.Split(',');
                ParameterInfo[] csParams = mi.GetParameters();
                Assert.AreEqual(cParams.Length, csParams.Length, name + ": parameter count");
                for (int i = 0; i < cParams.Length; i++)
                {
                    Match p = Regex.Match(cParams[i].Trim(), @"^(.*?)\b(\w+)$", RegexOptions.Singleline);
                    Assert.AreEqual(p.Groups[2].Value, csParams[i].Name, name + ": parameter " + i);
                    Assert.IsTrue(SameType(p.Groups[1].Value, csParams[i].ParameterType),
                        name + "(" + p.Groups[2].Value + "): C " + p.Groups[1].Value + ", C# " + csParams[i].ParameterType);
                    if (csParams[i].ParameterType == typeof(bool))
                    {
                        // C's bool is one byte; the default bool marshalling is a 4-byte BOOL.
                        var marshal = csParams[i].GetCustomAttributes(typeof(MarshalAsAttribute), false)
                            .Cast<MarshalAsAttribute>().SingleOrDefault();
                        Assert.IsNotNull(marshal, name + "(" + p.Groups[2].Value + "): bool without [MarshalAs]");
                        Assert.AreEqual(UnmanagedType.U1, marshal.Value, name + "(" + p.Groups[2].Value + ")");
                    }
                }
            }
            Assert.Greater(seen.Count, 20);
            CollectionAssert.AreEquivalent(seen, imports.Keys, "NativeMethods declares exactly the header's functions");
        }

        [Test]
        public void EnumsHaveTheHeadersNumbers()
        {
            string header = Header();
            var enums = new Dictionary<string, Type>
            {
                { "volact_result", typeof(VolactResult) },
                { "volact_id_kind", typeof(IdKind) },
                { "volact_algorithm", typeof(KeyAlgorithm) },
                { "volact_dpid_layout", typeof(DpidLayout) },
                { "volact_srv_format", typeof(SrvFormat) },
                { "volact_srv_order_mode", typeof(SrvOrderMode) },
                { "volact_license_status", typeof(LicenseStatus) },
            };
            foreach (KeyValuePair<string, Type> e in enums)
            {
                Match block = Regex.Match(header, @"enum " + e.Key + @"\b[^{]*\{(.*?)\};", RegexOptions.Singleline);
                Assert.IsTrue(block.Success, e.Key + " not found in volact.h");
                string prefix = e.Key.ToUpperInvariant() + "_";
                var fromHeader = new Dictionary<string, uint>();
                foreach (Match v in Regex.Matches(block.Groups[1].Value, @"\b(VOLACT_\w+)\s*=\s*(\d+)"))
                {
                    StringAssert.StartsWith(prefix, v.Groups[1].Value);
                    fromHeader[Pascal(v.Groups[1].Value.Substring(prefix.Length))] = uint.Parse(v.Groups[2].Value);
                }
                var fromCs = Enum.GetNames(e.Value).ToDictionary(n => n, n => Convert.ToUInt32(Enum.Parse(e.Value, n)));
                foreach (KeyValuePair<string, uint> v in fromHeader)
                {
                    Assert.IsTrue(fromCs.ContainsKey(v.Key), e.Value.Name + "." + v.Key + " missing");
                    Assert.AreEqual(v.Value, fromCs[v.Key], e.Value.Name + "." + v.Key);
                }
                CollectionAssert.AreEquivalent(fromHeader.Keys, fromCs.Keys, e.Value.Name + " has values the header lacks");
                Assert.AreEqual(typeof(uint), Enum.GetUnderlyingType(e.Value), e.Key + " is uint32_t in the ABI");
            }
        }

        [Test]
        public void ExportModesAreTheHeadersDefines()
        {
            var fromHeader = new Dictionary<string, uint>();
            foreach (Match m in Regex.Matches(Header(), @"#define VOLACT_CIL_EXPORT_(\w+)\s+(\d+)"))
            {
                fromHeader[Pascal(m.Groups[1].Value)] = uint.Parse(m.Groups[2].Value);
            }
            Assert.AreEqual(2, fromHeader.Count, "VOLACT_CIL_EXPORT_* defines in volact.h");
            var fromCs = Enum.GetNames(typeof(ExportMode)).ToDictionary(n => n, n => (uint)(ExportMode)Enum.Parse(typeof(ExportMode), n));
            CollectionAssert.AreEquivalent(fromHeader, fromCs);
            Assert.AreEqual(typeof(uint), Enum.GetUnderlyingType(typeof(ExportMode)), "the mode is uint32_t in the ABI");
        }

        [Test]
        public void KeyKindsAreTheHeadersDefines()
        {
            var fromHeader = new Dictionary<string, uint>();
            foreach (Match m in Regex.Matches(Header(), @"#define VOLACT_KEY_KIND_(\w+)\s+(\d+)"))
            {
                fromHeader[Pascal(m.Groups[1].Value)] = uint.Parse(m.Groups[2].Value);
            }
            Assert.AreEqual(4, fromHeader.Count, "VOLACT_KEY_KIND_* defines in volact.h");
            var fromCs = Enum.GetNames(typeof(KeyKind)).ToDictionary(n => n, n => (uint)(KeyKind)Enum.Parse(typeof(KeyKind), n));
            CollectionAssert.AreEquivalent(fromHeader, fromCs);
            Assert.AreEqual(typeof(uint), Enum.GetUnderlyingType(typeof(KeyKind)), "declared is uint32_t in the ABI");
        }

        [Test]
        public void TargetErrorKindsAreTheHeadersDefines()
        {
            var fromHeader = new Dictionary<string, uint>();
            foreach (Match m in Regex.Matches(Header(), @"#define VOLACT_TARGET_ERROR_(\w+)\s+(\d+)"))
            {
                fromHeader[Pascal(m.Groups[1].Value)] = uint.Parse(m.Groups[2].Value);
            }
            Assert.AreEqual(5, fromHeader.Count, "VOLACT_TARGET_ERROR_* defines in volact.h");
            var fromCs = Enum.GetNames(typeof(TargetErrorKind)).ToDictionary(n => n, n => (uint)(TargetErrorKind)Enum.Parse(typeof(TargetErrorKind), n));
            CollectionAssert.AreEquivalent(fromHeader, fromCs);
            Match len = Regex.Match(Header(), @"#define VOLACT_DETAIL_LEN\s+(\d+)");
            Assert.IsTrue(len.Success, "VOLACT_DETAIL_LEN");
            Assert.AreEqual(int.Parse(len.Groups[1].Value), NativeMethods.VOLACT_DETAIL_LEN);
        }

        [Test]
        public void VersionMacros()
        {
            string header = Header();
            foreach (string part in new[] { "MAJOR", "MINOR", "PATCH" })
            {
                Match m = Regex.Match(header, @"#define VOLACT_VERSION_" + part + @"\s+(\d+)");
                Assert.IsTrue(m.Success, part);
                object cs = typeof(NativeMethods).GetField("VOLACT_VERSION_" + part, BindingFlags.Static | BindingFlags.NonPublic).GetValue(null);
                Assert.AreEqual(uint.Parse(m.Groups[1].Value), cs, part);
            }
        }

        [Test]
        public void StructLayoutsMatchTheHeader()
        {
            string path = Environment.GetEnvironmentVariable("VOLACT_LAYOUT");
            if (path == null || !File.Exists(path))
            {
                Assert.Ignore("no layout file (test.sh writes one with a C compiler; set VOLACT_LAYOUT)");
            }
            var checkedStructs = new HashSet<string>();
            foreach (string line in File.ReadAllLines(path))
            {
                string[] w = line.Split(' ');
                int value = int.Parse(w[2]);
                if (w[0] == "enum")
                {
                    Assert.AreEqual(value, Marshal.SizeOf(Enum.GetUnderlyingType(typeof(VolactResult))), "enum size");
                    continue;
                }
                if (w[0] == "bool")
                {
                    Assert.AreEqual(value, Marshal.SizeOf(typeof(byte)), "bool is mirrored by a byte");
                    continue;
                }
                Type s = typeof(NativeMethods).GetNestedType(w[0], BindingFlags.NonPublic);
                Assert.IsNotNull(s, w[0] + " is not mirrored in NativeMethods");
                checkedStructs.Add(w[0]);
                if (w[1] == "size")
                {
                    Assert.AreEqual(value, Marshal.SizeOf(s), w[0] + " size");
                }
                else
                {
                    Assert.AreEqual(value, Marshal.OffsetOf(s, w[1]).ToInt32(), w[0] + "." + w[1]);
                }
            }
            // Every mirrored struct is in the layout file, with every field.
            foreach (Type s in typeof(NativeMethods).GetNestedTypes(BindingFlags.NonPublic).Where(t => t.IsValueType))
            {
                Assert.IsTrue(checkedStructs.Contains(s.Name), s.Name + " missing from the layout file");
                string[] fields = File.ReadAllLines(path).Where(l => l.StartsWith(s.Name + " ") && !l.StartsWith(s.Name + " size"))
                    .Select(l => l.Split(' ')[1]).ToArray();
                CollectionAssert.AreEquivalent(fields, s.GetFields().Select(f => f.Name).ToArray(), s.Name + " fields");
            }
        }
    }
}
