// Licensing: license states from their WMI number, KMS policy intervals, and the activation
// error codes with cause and fix. Thin wrappers over libvolact's volact_license_*,
// volact_policy_* and volact_explain* calls; every answer comes from the Rust core.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Volact
{
    /// <summary>License states (<c>SoftwareLicensingProduct.LicenseStatus</c>).</summary>
    public static class License
    {
        /// <summary>
        /// The state for a WMI <c>LicenseStatus</c> value; throws
        /// <see cref="LicenseValueException"/> (<see cref="VolactResult.LicenseStatusValue"/>)
        /// outside 0–6.
        /// </summary>
        public static LicenseStatus FromWmi(uint value)
        {
            // libvolact decides which numbers are states; asking for the name checks it.
            Name(value);
            return (LicenseStatus)value;
        }

        /// <summary>The WMI name: <c>Unlicensed</c>, <c>OOBGrace</c>, <c>OOTGrace</c>, ….</summary>
        public static string Name(LicenseStatus status)
        {
            return Name((uint)status);
        }

        /// <summary>What <c>slmgr /dli</c> prints after <c>License Status: </c> (<c>Initial grace period</c>, …).</summary>
        public static string DliText(LicenseStatus status)
        {
            uint value = (uint)status;
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_license_status_dli_text(value, b, l, out n));
        }

        private static string Name(uint value)
        {
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_license_status_name(value, b, l, out n));
        }
    }

    /// <summary>KMS policy values (<c>slmgr /sai</c>, <c>/sri</c>).</summary>
    public static class Policy
    {
        /// <summary>
        /// Checks an activation or renewal interval: returns it for 15 to 43,200 minutes, else
        /// throws <see cref="LicenseValueException"/> (<see cref="VolactResult.LicenseIntervalRange"/>).
        /// </summary>
        public static uint CheckInterval(ulong minutes)
        {
            Interop.Check(NativeMethods.volact_policy_check_interval(minutes));
            return (uint)minutes;
        }

        /// <summary>
        /// Reads an interval as <c>slmgr /sai &lt;minutes&gt;</c> takes it (whitespace around it
        /// ignored). Throws <see cref="LicenseValueException"/>:
        /// <see cref="VolactResult.LicenseIntervalText"/> or <see cref="VolactResult.LicenseIntervalRange"/>.
        /// </summary>
        public static uint ParseInterval(string text)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            uint minutes;
            Interop.Check(NativeMethods.volact_policy_parse_interval(bytes, len, out minutes));
            return minutes;
        }
    }

    /// <summary>One activation error code of volact's table (<c>volact_error_code</c>).</summary>
    public sealed class ErrorExplanation
    {
        internal ErrorExplanation(NativeMethods.volact_error_code e)
        {
            Code = e.code;
            Hex = Interop.FromStaticUtf8(e.hex);
            Message = Interop.FromStaticUtf8(e.message);
            AppliesTo = Interop.FromStaticUtf8(e.applies_to);
            Cause = Interop.FromStaticUtf8(e.cause);
            Fix = Interop.FromStaticUtf8(e.fix);
            Source = Interop.FromStaticUtf8(e.source);
        }

        /// <summary>The HRESULT, unsigned.</summary>
        public uint Code { get; }

        /// <summary>The code as every front end spells it: <c>0xC004F074</c>.</summary>
        public string Hex { get; }

        /// <summary>The message Windows shows.</summary>
        public string Message { get; }

        /// <summary>Who reports it: MAK, KMS client, KMS host.</summary>
        public string AppliesTo { get; }

        /// <summary>The likely cause.</summary>
        public string Cause { get; }

        /// <summary>What to try, with the slmgr commands.</summary>
        public string Fix { get; }

        /// <summary>Where this comes from (a URL, or volact's research notes).</summary>
        public string Source { get; }

        public override string ToString()
        {
            return Hex + "  " + Message;
        }
    }

    /// <summary>The activation error codes volact knows (<c>volact explain</c>).</summary>
    public static class ErrorCodes
    {
        /// <summary>
        /// The table entry for a code as administrators paste it: <c>0xC004F074</c>,
        /// <c>C004F074</c>, <c>3221549172</c>, <c>-1073418124</c>. Throws
        /// <see cref="LicenseValueException"/>: <see cref="VolactResult.LicenseErrorCodeText"/>
        /// (not a code) or <see cref="VolactResult.LicenseErrorCodeUnknown"/> (not in the table).
        /// </summary>
        public static ErrorExplanation Explain(string code)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(code, "code", out len);
            NativeMethods.volact_error_code e;
            Interop.Check(NativeMethods.volact_explain_lookup(bytes, len, out e));
            return new ErrorExplanation(e);
        }

        /// <summary>As <see cref="Explain(string)"/> for a number (an HRESULT as a signed or unsigned integer).</summary>
        public static ErrorExplanation Explain(long code)
        {
            // The decimal text goes to libvolact's parser, as on the command line.
            return Explain(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        /// <summary>
        /// The JSON record <c>volact explain --json</c> prints for a known code:
        /// <c>{"input", "known", "code", "message", "applies_to", "cause", "fix", "source", "error"}</c>.
        /// Throws as <see cref="Explain(string)"/>.
        /// </summary>
        public static string ExplainJson(string code)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(code, "code", out len);
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_explain(bytes, len, b, l, out n), 2048);
        }

        /// <summary>Every code in the table, in numeric order.</summary>
        public static IReadOnlyList<ErrorExplanation> All
        {
            get
            {
                int count = checked((int)NativeMethods.volact_explain_count().ToUInt64());
                var list = new ErrorExplanation[count];
                for (int i = 0; i < count; i++)
                {
                    NativeMethods.volact_error_code e;
                    Interop.Check(NativeMethods.volact_explain_get(new UIntPtr((uint)i), out e));
                    list[i] = new ErrorExplanation(e);
                }
                return new ReadOnlyCollection<ErrorExplanation>(list);
            }
        }
    }
}
