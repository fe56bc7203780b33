// Checking many keys in one native call.
using System;
using System.Collections.Generic;

namespace Volact
{
    /// <summary>One line's result from <see cref="Keys.CheckBatch"/>.</summary>
    public struct KeyCheck
    {
        internal KeyCheck(KeyStatus status, uint groupId)
        {
            Status = status;
            GroupId = groupId;
        }

        public KeyStatus Status { get; }

        /// <summary>The pkey2009 group id (also for a checksum mismatch); 0 otherwise.</summary>
        public uint GroupId { get; }

        public override string ToString()
        {
            return Status + (GroupId != 0 ? " (group " + GroupId + ")" : "");
        }
    }

    public static class Keys
    {
        /// <summary>
        /// Checks many keys in one native call (<c>volact_keys_check_batch</c>); result
        /// <c>i</c> belongs to <c>keys[i]</c>. The keys may not contain line feeds.
        /// </summary>
        public static KeyCheck[] CheckBatch(IList<string> keys)
        {
            if (keys == null)
            {
                throw new ArgumentNullException("keys");
            }
            if (keys.Count == 0)
            {
                return new KeyCheck[0];
            }
            for (int i = 0; i < keys.Count; i++)
            {
                if (keys[i] == null)
                {
                    throw new ArgumentException("keys[" + i + "] is null", "keys");
                }
                if (keys[i].IndexOf('\n') >= 0)
                {
                    throw new ArgumentException("keys[" + i + "] contains a line feed", "keys");
                }
            }
            // Every key ends with '\n', and libvolact splits on '\n': n keys give n lines plus
            // an empty last one, whose result is dropped. Joining with '\n' alone would turn
            // a single empty key into an empty text, which has no lines at all.
            string text = string.Join("\n", keys) + "\n";
            int lines = keys.Count + 1;
            UIntPtr len;
            byte[] bytes = Interop.Utf8(text, "keys", out len);
            try
            {
                var statuses = new byte[lines];
                var groups = new uint[lines];
                UIntPtr n;
                Interop.Check(NativeMethods.volact_keys_check_batch(
                    bytes, len, statuses, groups, new UIntPtr((uint)lines), out n));
                if (n.ToUInt64() != (ulong)lines)
                {
                    throw new InvalidOperationException(
                        "libvolact counted " + n + " lines in a batch of " + lines);
                }
                var result = new KeyCheck[keys.Count];
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = new KeyCheck((KeyStatus)statuses[i], groups[i]);
                }
                return result;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }
    }
}
