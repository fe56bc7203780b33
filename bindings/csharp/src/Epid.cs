// Extended product IDs (WMI ProductKeyID, slmgr "Extended PID").
using System;

namespace Volact
{
    /// <summary>
    /// The fields of an ePID, <c>PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY</c> (<c>volact_epid</c>).
    /// </summary>
    public sealed class Epid
    {
        private Epid(NativeMethods.volact_epid e)
        {
            Platform = e.platform;
            GroupId = e.group_id;
            Serial = e.serial;
            Channel = e.channel;
            Lcid = e.lcid;
            Build = e.build;
            BuildRevision = e.build_revision;
            InstallDay = e.install_day;
            InstallYear = e.install_year;
        }

        /// <summary>Parses an ePID.</summary>
        /// <exception cref="InvalidEpidException">The message names the field and its position.</exception>
        public static Epid Parse(string text)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            NativeMethods.volact_epid e;
            Interop.Check(NativeMethods.volact_epid_parse(bytes, len, out e));
            return new Epid(e);
        }

        public uint Platform { get; }

        /// <summary>The key group id (GGGGG).</summary>
        public uint GroupId { get; }

        /// <summary><c>SSS-SSSSSS</c> as one 9-digit number.</summary>
        public uint Serial { get; }

        /// <summary>CC: seen 03 Volume, 02 OEM.</summary>
        public byte Channel { get; }

        public uint Lcid { get; }
        public uint Build { get; }
        public uint BuildRevision { get; }

        /// <summary>Day of the year the key was installed, 1..366.</summary>
        public ushort InstallDay { get; }

        public ushort InstallYear { get; }
    }
}
