// Typed exceptions over volact_result. The message is libvolact's detailed message of the
// failed call (with positions and reasons; never a key).
using System;

namespace Volact
{
    /// <summary>A libvolact call failed. <see cref="Code"/> is its <c>volact_result</c>.</summary>
    public class VolactException : Exception
    {
        public VolactException(VolactResult code, string message)
            : base(message)
        {
            Code = code;
        }

        /// <summary>The <c>volact_result</c> value the call returned.</summary>
        public VolactResult Code { get; }

        // The subclass follows the code's domain: volact.h groups the numbers by hundreds.
        internal static VolactException Create(VolactResult code, string message)
        {
            uint n = (uint)code;
            if (n >= 100 && n < 200)
            {
                return new InvalidProductKeyException(code, message);
            }
            if (n >= 200 && n < 300)
            {
                return new InvalidIdException(code, message);
            }
            if (n >= 300 && n < 400)
            {
                return new InvalidEpidException(code, message);
            }
            if (n >= 400 && n < 500)
            {
                return new InvalidDigitalProductIdException(code, message);
            }
            if (n >= 500 && n < 600)
            {
                return new InvalidCilException(code, message);
            }
            if (n >= 600 && n < 700)
            {
                return new VolactIOException(code, message);
            }
            if (n >= 700 && n < 800)
            {
                return new InvalidSrvInputException(code, message);
            }
            if (n >= 800 && n < 900)
            {
                return new DnsNetworkException(code, message);
            }
            if (n >= 900 && n < 1000)
            {
                return new LicenseValueException(code, message);
            }
            if (n >= 1000 && n < 1100)
            {
                return new InvalidCatalogFileException(code, message);
            }
            if (n >= 1100 && n < 1200)
            {
                return new MakStoreException(code, message);
            }
            if (n >= 1200 && n < 1300)
            {
                return new WorkflowException(code, message);
            }
            if (n >= 1300 && n < 1400)
            {
                return new UnattendException(code, message);
            }
            return new VolactException(code, message);
        }
    }

    /// <summary>The text is not a valid product key (codes 1xx).</summary>
    public class InvalidProductKeyException : VolactException
    {
        public InvalidProductKeyException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>The text is not a valid Installation or Confirmation ID (codes 2xx).</summary>
    public class InvalidIdException : VolactException
    {
        public InvalidIdException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>The text is not a valid extended product ID (codes 3xx).</summary>
    public class InvalidEpidException : VolactException
    {
        public InvalidEpidException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>The registry blob holds no decodable product key (codes 4xx).</summary>
    public class InvalidDigitalProductIdException : VolactException
    {
        public InvalidDigitalProductIdException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// The bytes or file are not a readable CIL document (codes 5xx): not UTF-8/UTF-16, not
    /// well-formed XML, too large, nested too deep, not <c>SoftwareLicensingData</c>, or a
    /// value that cannot be read. The message gives the line and column (and the file).
    /// </summary>
    public class InvalidCilException : VolactException
    {
        public InvalidCilException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// A file could not be read or written (codes 6xx): missing, a directory, no permission,
    /// disk full. The message names the operation and the path.
    /// </summary>
    public class VolactIOException : VolactException
    {
        public VolactIOException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// An argument of a KMS discovery call is not valid (codes 7xx): a topology (the message
    /// names the TOML line), an SRV record line, a <c>host[:port]</c>, the client
    /// configuration JSON (line and column), a DNS server list, <c>priority weight</c>, or a
    /// name that cannot go into a DNS message. Nothing was sent.
    /// </summary>
    public class InvalidSrvInputException : VolactException
    {
        public InvalidSrvInputException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// A DNS or TCP exchange failed (codes 8xx): <see cref="VolactResult.NetTimeout"/>,
    /// <see cref="VolactResult.NetUnreachable"/>, <see cref="VolactResult.NetTsig"/> (BADSIG,
    /// BADKEY, BADTIME), <see cref="VolactResult.NetNotAuthoritative"/>,
    /// <see cref="VolactResult.NetRefused"/>, <see cref="VolactResult.NetKeyFile"/>,
    /// <see cref="VolactResult.NetResolve"/>, <see cref="VolactResult.NetOther"/>. The message
    /// names the server, the zone and the key (never its secret).
    /// </summary>
    public class DnsNetworkException : VolactException
    {
        public DnsNetworkException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// A licensing value is refused (codes 9xx): a <c>LicenseStatus</c> outside 0–6
    /// (<see cref="VolactResult.LicenseStatusValue"/>), an interval outside 15 to 43,200 minutes
    /// (<see cref="VolactResult.LicenseIntervalRange"/>) or not a number of minutes
    /// (<see cref="VolactResult.LicenseIntervalText"/>), a text that is not an error code
    /// (<see cref="VolactResult.LicenseErrorCodeText"/>) or a code volact does not know
    /// (<see cref="VolactResult.LicenseErrorCodeUnknown"/>), a fleet scenario that cannot be run
    /// (<see cref="VolactResult.FleetScenario"/>). The message is the core's.
    /// </summary>
    public class LicenseValueException : VolactException
    {
        public LicenseValueException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// A pkeyconfig file or a user catalog file cannot be read (codes 10xx): a pkeyconfig that
    /// is not XML (<see cref="VolactResult.PkeyconfigXml"/>), has a DTD or an undeclared
    /// entity (<see cref="VolactResult.PkeyconfigDtd"/>), is too large or too deep, is not a
    /// pkeyconfig, has bad base64, lacks a field or has a bad value; a catalog that is not one
    /// (<see cref="VolactResult.UserCatalogFormat"/>) or of another version
    /// (<see cref="VolactResult.UserCatalogVersion"/>). Nothing was imported. The message names
    /// the file and the place.
    /// </summary>
    public class InvalidCatalogFileException : VolactException
    {
        public InvalidCatalogFileException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// The MAK store refused a key or a file (codes 11xx): a published GVLK
    /// (<see cref="VolactResult.MakGvlk"/>), a key no catalog knows and no kind was declared for
    /// (<see cref="VolactResult.MakUnknownType"/>), a declared kind the catalog contradicts, a
    /// channel the store does not keep, a key already stored, a selector matching several keys
    /// (<see cref="VolactResult.MakAmbiguous"/>); a file that is not a store or of another
    /// version, or that others can read (<see cref="VolactResult.MakStoreExposed"/>:
    /// <c>chmod 600</c> it). Nothing changed. The message shows keys masked.
    /// </summary>
    public class MakStoreException : VolactException
    {
        public MakStoreException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// A workflow call refused its inputs (codes 12xx): an unknown plan kind or render format,
    /// a plan missing the MAK or CIL it needs, a KMS host that is not <c>host[:port]</c>, fewer
    /// targets than the run's machines (<see cref="VolactResult.WorkflowInput"/>); a survey,
    /// plan or run that is not JSON of the right shape (<see cref="VolactResult.WorkflowJson"/>,
    /// line and column in the message). Nothing was called back. A machine's own failure is
    /// never this exception: it is recorded in the survey or the run.
    /// </summary>
    public class WorkflowException : VolactException
    {
        public WorkflowException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// An Unattend.xml answer file volact will not read or change (codes 13xx): not UTF-8 or
    /// UTF-16 text with a BOM (<see cref="VolactResult.UnattendEncoding"/>), not well-formed XML
    /// (<see cref="VolactResult.UnattendXml"/>), a DTD (<see cref="VolactResult.UnattendDtd"/>,
    /// never processed), a root that is not <c>unattend</c>, larger than 8 MiB, no place setup
    /// reads a key from (<see cref="VolactResult.UnattendNoKeyPlace"/>), a key place holding
    /// markup (<see cref="VolactResult.UnattendComplexValue"/>). The message gives the byte
    /// offset or line, and never a key. An invalid key is an
    /// <see cref="InvalidProductKeyException"/>.
    /// </summary>
    public class UnattendException : VolactException
    {
        public UnattendException(VolactResult code, string message) : base(code, message) { }
    }

    /// <summary>
    /// Thrown by an <see cref="IActivationTarget"/> to report why an operation failed: the
    /// kind, the licensing HRESULT (for <see cref="TargetErrorKind.Licensing"/>) and the text.
    /// libvolact records it against the machine (in the survey, or as the run's failed state)
    /// and goes on with the others. Any other exception a target throws is recorded as
    /// <see cref="TargetErrorKind.Other"/> with its message.
    /// </summary>
    public class ActivationTargetException : Exception
    {
        public ActivationTargetException(TargetErrorKind kind, uint code, string message)
            : base(message)
        {
            Kind = kind;
            Code = code;
        }

        public ActivationTargetException(TargetErrorKind kind, string message)
            : this(kind, 0, message)
        {
        }

        /// <summary>The kind of failure.</summary>
        public TargetErrorKind Kind { get; }

        /// <summary>The HRESULT, for <see cref="TargetErrorKind.Licensing"/> (e.g. 0xC004F04D); else 0.</summary>
        public uint Code { get; }
    }

    /// <summary>
    /// Thrown by an <see cref="IConfirmationIdSource"/> when the service refused an
    /// Installation ID: the service's code (e.g. 0x7F, MAK limit exceeded) and text, reported
    /// as <c>refused</c> in the acquisition report. Any other exception a source throws is
    /// reported as refused with code 0 and its message.
    /// </summary>
    public class ConfirmationIdRefusedException : Exception
    {
        public ConfirmationIdRefusedException(uint code, string message)
            : base(message)
        {
            Code = code;
        }

        /// <summary>The service's code.</summary>
        public uint Code { get; }
    }
}
