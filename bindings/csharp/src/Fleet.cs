// The KMS fleet simulator: a scenario (TOML) in, the report (JSON) out. Thin over
// volact_fleet_run; the simulation is volact::fleet in the core.
using System;

namespace Volact
{
    /// <summary>Runs KMS fleet scenarios (docs/fleet-simulation.md).</summary>
    public static class Fleet
    {
        /// <summary>
        /// Runs <paramref name="toml"/> and returns its report as JSON, the object
        /// <c>volact simulate --json</c> prints (daily clients by license state, per-host requests
        /// and counts, the WAN share, first activations, why clients end in Notification). The
        /// scenario's seed fixes the result.
        /// </summary>
        /// <exception cref="LicenseValueException">Code
        /// <see cref="VolactResult.FleetScenario"/>: the message names the line.</exception>
        public static string Run(string toml)
        {
            UIntPtr len;
            byte[] bytes = Interop.Utf8(toml, "toml", out len);
            return Interop.ReadTextOrThrow((byte[] b, UIntPtr l, out UIntPtr n) =>
                NativeMethods.volact_fleet_run(bytes, len, b, l, out n), 1 << 16);
        }
    }
}
