// KMS discovery over DNS: thin wrappers over volact_srv_* and volact_probe. Every text is
// read and every answer computed by libvolact (the core crate and volact-net); the JSON
// results are returned as libvolact writes them, as CilDocument does for its reports.
using System;
using System.Collections.Generic;

namespace Volact
{
    internal static class SrvArgs
    {
        internal static uint Timeout(int timeoutMs, string paramName)
        {
            if (timeoutMs < 0)
            {
                throw new ArgumentOutOfRangeException(paramName, "a timeout is 0 (the default) or more milliseconds");
            }
            return (uint)timeoutMs;
        }

        // Record lines for volact_srv_order and volact_srv_first_counts: one a line.
        internal static string Lines(IEnumerable<string> records)
        {
            if (records == null)
            {
                throw new ArgumentNullException("records");
            }
            return string.Join("\n", records);
        }

        internal static string[] SplitLines(string text)
        {
            return text.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>Plans a KMS topology (TOML, see <c>docs/kms-discovery.md</c>).</summary>
    /// <example><code>
    /// string zone = SrvPlanner.Plan(File.ReadAllText("contoso-global.toml"), SrvFormat.Zone);
    /// // _vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com. ...
    /// </code></example>
    public static class SrvPlanner
    {
        /// <summary>
        /// The plan of <paramref name="topology"/> as <paramref name="format"/>: JSON
        /// (<c>{"domains", "hosts", "zones", "ttl", "scavenging", "notes"}</c>), a zone-file
        /// fragment, an nsupdate script, PowerShell, <c>reg add</c> commands, or each host's
        /// publish list.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">The topology is invalid; the message names the TOML line.</exception>
        public static string Plan(string topology, SrvFormat format)
        {
            UIntPtr len;
            byte[] text = Interop.Utf8(topology, "topology", out len);
            return Interop.ReadTextOrThrow(
                (byte[] buf, UIntPtr cap, out UIntPtr n) =>
                    NativeMethods.volact_srv_plan(text, len, (uint)format, buf, cap, out n),
                4096);
        }
    }

    /// <summary>The order in which a KMS client tries SRV records.</summary>
    public static class SrvOrder
    {
        /// <summary>
        /// Orders records (each <c>priority weight port target</c>) as a client in
        /// <paramref name="mode"/> tries them, with a generator seeded by
        /// <paramref name="seed"/>: the same seed gives the same order. Records with target
        /// <c>.</c> are left out. Returns the records in the same form.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">A record is malformed; the message names its line.</exception>
        public static string[] Order(IEnumerable<string> records, ulong seed, SrvOrderMode mode = SrvOrderMode.Rfc2782)
        {
            UIntPtr len;
            byte[] text = Interop.Utf8(SrvArgs.Lines(records), "records", out len);
            return SrvArgs.SplitLines(Interop.ReadTextOrThrow(
                (byte[] buf, UIntPtr cap, out UIntPtr n) =>
                    NativeMethods.volact_srv_order(text, len, seed, (uint)mode, buf, cap, out n),
                1024));
        }

        /// <summary>
        /// How often each target comes first over <paramref name="draws"/> orderings: the JSON
        /// object <c>{"target": count, ...}</c>, every host target listed.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">A record is malformed; the message names its line.</exception>
        public static string FirstCounts(IEnumerable<string> records, ulong seed, ulong draws, SrvOrderMode mode = SrvOrderMode.Rfc2782)
        {
            UIntPtr len;
            byte[] text = Interop.Utf8(SrvArgs.Lines(records), "records", out len);
            return Interop.ReadTextOrThrow(
                (byte[] buf, UIntPtr cap, out UIntPtr n) =>
                    NativeMethods.volact_srv_first_counts(text, len, seed, (uint)mode, draws, buf, cap, out n),
                1024);
        }
    }

    /// <summary>The KMS hosts a client tries, found through real DNS servers.</summary>
    public static class KmsDiscovery
    {
        /// <summary>
        /// Runs a KMS client's discovery. <paramref name="configJson"/> is the client
        /// configuration (<c>{"lookup_domain": "east.contoso.com"}</c>,
        /// <c>"suffix_search_list"</c>, <c>"host_caching"</c>, <c>"order": "legacy"</c>...;
        /// empty for the defaults); <paramref name="servers"/> is <c>ip[:port],ip[:port]</c>
        /// (empty: <c>/etc/resolv.conf</c>). Returns the JSON
        /// <c>{"attempts": [...], "queries": [...]}</c>. A server that does not answer is not
        /// an error: the query's <c>outcome</c> is <c>"failed"</c>.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">The configuration or the server list is invalid.</exception>
        /// <exception cref="VolactIOException"><c>/etc/resolv.conf</c> cannot be read.</exception>
        public static string Discover(string configJson, string servers, int timeoutMs, ulong seed)
        {
            UIntPtr configLen, serversLen;
            byte[] config = Interop.Utf8(configJson, "configJson", out configLen);
            byte[] list = Interop.Utf8(servers, "servers", out serversLen);
            uint timeout = SrvArgs.Timeout(timeoutMs, "timeoutMs");
            return Interop.ReadTextOrThrow(
                (byte[] buf, UIntPtr cap, out UIntPtr n) =>
                    NativeMethods.volact_srv_discover(config, configLen, list, serversLen, timeout, seed, buf, cap, out n),
                4096);
        }
    }

    /// <summary>
    /// Publishes and withdraws a KMS host's <c>_vlmcs._tcp</c> SRV record by RFC 2136 dynamic
    /// update to one DNS server, signed with a TSIG key.
    /// </summary>
    /// <example><code>
    /// var publisher = new KmsPublisher("192.0.2.53", File.ReadAllText("kms-update.key"));
    /// publisher.Publish("east.contoso.com", "east.contoso.com", "10 75 1688 kms-e1.east.contoso.com.");
    /// </code></example>
    public sealed class KmsPublisher
    {
        // Big enough for every record one DNS message can hold, in text form (at most 65535
        // bytes on the wire, each record 20 bytes or more there and at most 273 characters
        // here), so a withdrawal's list always fits: the call is never repeated.
        private const int WithdrawCapacity = 1 << 20;

        private readonly string server;
        private readonly string tsigKey;
        private readonly uint timeout;

        /// <param name="server"><c>ip[:port]</c> of the zone's primary (port 53 by default).</param>
        /// <param name="tsigKeyText">The text of a BIND key file (<c>tsig-keygen</c>'s output).</param>
        /// <param name="timeoutMs">The wait for each answer; 0 means 5 s.</param>
        public KmsPublisher(string server, string tsigKeyText, int timeoutMs = 0)
        {
            if (server == null)
            {
                throw new ArgumentNullException("server");
            }
            if (tsigKeyText == null)
            {
                throw new ArgumentNullException("tsigKeyText");
            }
            this.server = server;
            tsigKey = tsigKeyText;
            timeout = SrvArgs.Timeout(timeoutMs, "timeoutMs");
        }

        /// <summary>
        /// Adds <paramref name="record"/> (<c>priority weight port target</c>) at
        /// <c>_vlmcs._tcp.</c><paramref name="domain"/> in <paramref name="zone"/>;
        /// <paramref name="ttl"/> 0 means 3600 s.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">An argument is invalid; nothing was sent.</exception>
        /// <exception cref="DnsNetworkException">The server did not answer, refused, or rejected the key.</exception>
        public void Publish(string zone, string domain, string record, uint ttl = 0)
        {
            UIntPtr sl, zl, dl, rl, kl;
            byte[] s = Interop.Utf8(server, "server", out sl);
            byte[] z = Interop.Utf8(zone, "zone", out zl);
            byte[] d = Interop.Utf8(domain, "domain", out dl);
            byte[] r = Interop.Utf8(record, "record", out rl);
            byte[] k = Interop.Utf8(tsigKey, "tsigKeyText", out kl);
            try
            {
                Interop.Check(NativeMethods.volact_srv_publish(s, sl, z, zl, d, dl, r, rl, ttl, k, kl, timeout));
            }
            finally
            {
                Array.Clear(k, 0, k.Length);   // the key's secret
            }
        }

        /// <summary>
        /// Removes <paramref name="host"/>'s record at <c>_vlmcs._tcp.</c><paramref name="domain"/>:
        /// with <paramref name="priorityWeight"/> (<c>"10 75"</c>) exactly that record, with the
        /// empty text every record of the host. Returns the records removed
        /// (<c>priority weight port target</c>), none when there was nothing to remove.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">An argument is invalid; nothing was sent.</exception>
        /// <exception cref="DnsNetworkException">The server did not answer, refused, or rejected the key.</exception>
        public string[] Withdraw(string zone, string domain, string host, string priorityWeight = "")
        {
            UIntPtr sl, zl, dl, hl, pl, kl, n;
            byte[] s = Interop.Utf8(server, "server", out sl);
            byte[] z = Interop.Utf8(zone, "zone", out zl);
            byte[] d = Interop.Utf8(domain, "domain", out dl);
            byte[] h = Interop.Utf8(host, "host", out hl);
            byte[] p = Interop.Utf8(priorityWeight, "priorityWeight", out pl);
            byte[] k = Interop.Utf8(tsigKey, "tsigKeyText", out kl);
            var buf = new byte[WithdrawCapacity];
            try
            {
                // The withdrawal happens once; its list is in buf when it fits (always, see
                // WithdrawCapacity).
                Interop.Check(NativeMethods.volact_srv_withdraw(
                    s, sl, z, zl, d, dl, h, hl, p, pl, k, kl, timeout, buf, new UIntPtr((uint)buf.Length), out n));
            }
            finally
            {
                Array.Clear(k, 0, k.Length);
            }
            int count = checked((int)n.ToUInt64());
            if (count >= buf.Length)
            {
                throw new InvalidOperationException(
                    "the records were withdrawn, but their list (" + count + " bytes) does not fit the buffer");
            }
            return SrvArgs.SplitLines(System.Text.Encoding.UTF8.GetString(buf, 0, count));
        }
    }

    /// <summary>Whether a KMS host's port accepts TCP connections.</summary>
    public static class KmsProbe
    {
        /// <summary>
        /// True when <paramref name="hostPort"/> (<c>host</c>, <c>host:port</c>,
        /// <c>[IPv6]:port</c>; port 1688 by default; a name is resolved by the system
        /// resolver) accepts a TCP connection, false when it refuses it. Connects and closes;
        /// never sends a byte. <paramref name="timeoutMs"/> 0 means 2 s.
        /// </summary>
        /// <exception cref="InvalidSrvInputException">Not <c>host[:port]</c>.</exception>
        /// <exception cref="DnsNetworkException">No answer within the timeout, unreachable, or the name has no address.</exception>
        public static bool IsOpen(string hostPort, int timeoutMs = 0)
        {
            UIntPtr len;
            byte[] text = Interop.Utf8(hostPort, "hostPort", out len);
            byte open;
            Interop.Check(NativeMethods.volact_probe(text, len, SrvArgs.Timeout(timeoutMs, "timeoutMs"), out open));
            return open != 0;
        }
    }
}
