// Installation IDs and Confirmation IDs.
using System;
using System.Collections.Generic;

namespace Volact
{
    /// <summary>What <see cref="Ids.Check"/> finds in a text (<c>volact_id_info</c>).</summary>
    public sealed class IdInfo
    {
        internal IdInfo(NativeMethods.volact_id_info info, int? position, string message, string canonical)
        {
            Error = info.error;
            ErrorPosition = position;
            Kind = info.kind;
            Digits = checked((int)info.digits.ToUInt64());
            Groups = checked((int)info.groups.ToUInt64());
            GroupLen = checked((int)info.group_len.ToUInt64());
            var bad = new List<int>();
            for (int g = 0; g < 32; g++)
            {
                if ((info.bad_groups_mask & (1u << g)) != 0)
                {
                    bad.Add(g);
                }
            }
            BadGroups = bad.ToArray();
            RuleConfirmed = info.rule_confirmed != 0;
            ErrorMessage = message;
            Canonical = canonical;
        }

        public bool Valid { get { return Error == VolactResult.Ok; } }

        /// <summary><see cref="VolactResult.Ok"/>, or the <c>Id*</c> reason.</summary>
        public VolactResult Error { get; }

        /// <summary>0-based index into the checked string of an invalid character; null otherwise.</summary>
        public int? ErrorPosition { get; }

        public IdKind Kind { get; }

        /// <summary>Digits found.</summary>
        public int Digits { get; }

        /// <summary>Groups in the layout; 0 when the layout is unknown.</summary>
        public int Groups { get; }

        /// <summary>Digits per group; 0 when the layout is unknown.</summary>
        public int GroupLen { get; }

        /// <summary>0-based indices of the groups whose check digit is wrong.</summary>
        public int[] BadGroups { get; }

        /// <summary>
        /// Whether the check-digit rule is confirmed for this layout (false for 48-digit
        /// Confirmation IDs): warn rather than refuse when it is false.
        /// </summary>
        public bool RuleConfirmed { get; }

        /// <summary>Groups joined by <c>-</c> whenever the layout is known (even with bad check digits); else null.</summary>
        public string Canonical { get; }

        /// <summary>libvolact's detailed message when invalid; null when valid.</summary>
        public string ErrorMessage { get; }

        public override string ToString()
        {
            return Valid ? Kind + " " + Canonical : ErrorMessage;
        }
    }

    public static class Ids
    {
        /// <summary>Checks an Installation or Confirmation ID. Throws only when the check cannot run.</summary>
        public static IdInfo Check(string text)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "text", out len);
            NativeMethods.volact_id_info info;
            Interop.Check(NativeMethods.volact_id_check(bytes, len, out info));
            // Read the message before the next libvolact call replaces it.
            string message = info.error == VolactResult.Ok ? null : Interop.LastErrorMessage(info.error);
            string canonical;
            VolactResult r = Interop.ReadText(
                (byte[] b, UIntPtr l, out UIntPtr n) => NativeMethods.volact_id_canonical(bytes, len, b, l, out n),
                Interop.TextCapacity,
                out canonical);
            if (r != VolactResult.Ok && (r < VolactResult.IdInvalidCharacter || r > VolactResult.IdOther))
            {
                Interop.Check(r);
            }
            return new IdInfo(info, Interop.Utf16Index(text, info.error_position), message, canonical);
        }
    }
}
