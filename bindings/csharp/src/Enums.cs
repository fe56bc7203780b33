// The enums of volact.h, with the header's numbers (checked against the header by the tests).
namespace Volact
{
    /// <summary>
    /// The <c>volact_result</c> codes of libvolact. Numbers are grouped by domain (1xx product
    /// keys, 2xx IDs, 3xx ePIDs, 4xx DigitalProductId, 5xx CIL documents, 6xx files, 7xx SRV
    /// inputs, 8xx network, 9xx licensing, 10xx catalogs, 11xx the MAK store, 12xx workflows) and never
    /// reused.
    /// </summary>
    public enum VolactResult : uint
    {
        Ok = 0,
        /// <summary>A bug in volact: a panic was caught at the boundary. Please report it.</summary>
        Panic = 1,
        /// <summary>A required pointer argument was NULL.</summary>
        NullParameter = 2,
        /// <summary>A text argument was not UTF-8.</summary>
        InvalidUtf8 = 3,
        /// <summary>The output buffer is too small (the binding retries; callers never see it).</summary>
        BufferTooSmall = 4,
        /// <summary>An enum-like argument had an unknown value.</summary>
        InvalidArgument = 5,
        /// <summary>The thing asked for does not exist.</summary>
        NotFound = 6,
        KeyInvalidCharacter = 100,
        KeyLength = 101,
        KeyMultipleN = 102,
        KeyNInLastPosition = 103,
        KeyChecksum = 104,
        KeyOther = 199,
        IdInvalidCharacter = 200,
        IdLength = 201,
        IdCheckDigit = 202,
        IdWrongKind = 203,
        IdOther = 299,
        EpidFieldCount = 300,
        EpidField = 301,
        EpidDay = 302,
        EpidOther = 399,
        DpidTooShort = 400,
        DpidOutOfRange = 401,
        DpidKey = 402,
        DpidOther = 499,
        /// <summary>CIL: the bytes are not UTF-8 or UTF-16 text.</summary>
        CilEncoding = 500,
        /// <summary>CIL: not well-formed XML (the message gives line and column).</summary>
        CilXml = 501,
        /// <summary>CIL: the document or file is larger than the limit (2 GiB).</summary>
        CilTooLarge = 502,
        /// <summary>CIL: elements nest deeper than the limit (256).</summary>
        CilTooDeep = 503,
        /// <summary>CIL: the root element is not <c>SoftwareLicensingData</c>.</summary>
        CilNotCil = 504,
        /// <summary>CIL: a value volact reads cannot be read (a bad escape, an undefined entity).</summary>
        CilValue = 505,
        /// <summary>CIL: invalid for another reason.</summary>
        CilOther = 599,
        /// <summary>A file could not be read or written (missing, a directory, no permission, disk full).</summary>
        Io = 600,
        /// <summary>SRV: the topology TOML is invalid (the message names the line).</summary>
        SrvTopology = 700,
        /// <summary>SRV: a record value is not <c>priority weight port target</c> (the message names the line).</summary>
        SrvRecord = 701,
        /// <summary>SRV: a KMS host is not <c>host[:port]</c> (or names only a port).</summary>
        SrvHostPort = 702,
        /// <summary>SRV: the client configuration JSON is invalid (line and column in the message).</summary>
        SrvClientConfig = 703,
        /// <summary>SRV: the DNS server list is not <c>ip[:port],ip[:port]</c>.</summary>
        SrvServerList = 704,
        /// <summary>SRV: the priority and weight are not <c>priority weight</c> or empty.</summary>
        SrvPriorityWeight = 705,
        /// <summary>SRV: a name cannot go into a DNS message, or the domain is not in the zone.</summary>
        SrvName = 706,
        /// <summary>Network: no answer within the timeout.</summary>
        NetTimeout = 800,
        /// <summary>Network: the connection was refused or the host is unreachable.</summary>
        NetUnreachable = 801,
        /// <summary>Network: the server rejected the TSIG key (BADSIG, BADKEY, BADTIME), or its answer is unsigned.</summary>
        NetTsig = 802,
        /// <summary>Network: the server is not authoritative for the zone (NOTAUTH, NOTZONE).</summary>
        NetNotAuthoritative = 803,
        /// <summary>Network: the server refused the update (REFUSED).</summary>
        NetRefused = 804,
        /// <summary>Network: the TSIG key file text is invalid.</summary>
        NetKeyFile = 805,
        /// <summary>Network: a host name could not be resolved to an address.</summary>
        NetResolve = 806,
        /// <summary>Network: failed for another reason.</summary>
        NetOther = 899,
        /// <summary>License: a <c>LicenseStatus</c> value outside 0–6.</summary>
        LicenseStatusValue = 900,
        /// <summary>License: an activation or renewal interval outside 15 to 43,200 minutes.</summary>
        LicenseIntervalRange = 901,
        /// <summary>License: an interval text that is not a whole number of minutes.</summary>
        LicenseIntervalText = 902,
        /// <summary>License: the text is not an error code (empty, not a number, more than 32 bits).</summary>
        LicenseErrorCodeText = 903,
        /// <summary>License: an error code that is not in volact's table.</summary>
        LicenseErrorCodeUnknown = 904,
        /// <summary>Fleet simulation: the scenario is invalid (the message names the line).</summary>
        FleetScenario = 905,
        /// <summary>License: invalid for another reason.</summary>
        LicenseOther = 999,
        /// <summary>pkeyconfig: not well-formed XML, or not UTF-8/UTF-16 text.</summary>
        PkeyconfigXml = 1000,
        /// <summary>pkeyconfig: a DTD, or an entity other than XML's five (refused, never expanded).</summary>
        PkeyconfigDtd = 1001,
        /// <summary>pkeyconfig: larger than the limit (64 MiB).</summary>
        PkeyconfigTooLarge = 1002,
        /// <summary>pkeyconfig: elements nested deeper than the limit (64).</summary>
        PkeyconfigTooDeep = 1003,
        /// <summary>pkeyconfig: no <c>pkeyConfigData</c> payload, or its root is not <c>ProductKeyConfiguration</c>.</summary>
        PkeyconfigNotPkeyconfig = 1004,
        /// <summary>pkeyconfig: the payload is not valid base64.</summary>
        PkeyconfigBase64 = 1005,
        /// <summary>pkeyconfig: a record lacks a required field.</summary>
        PkeyconfigMissingField = 1006,
        /// <summary>pkeyconfig: a field's value is invalid (not a number, not a boolean, End before Start).</summary>
        PkeyconfigBadValue = 1007,
        /// <summary>User catalog file: not JSON, or not a volact user catalog.</summary>
        UserCatalogFormat = 1050,
        /// <summary>User catalog file: another format, or a version this volact does not read.</summary>
        UserCatalogVersion = 1051,
        /// <summary>pkeyconfig or user catalog: invalid for another reason.</summary>
        CatalogOther = 1099,
        /// <summary>MAK store: no catalog knows the key's type; declare it (volact never guesses).</summary>
        MakUnknownType = 1100,
        /// <summary>MAK store: the key is a published GVLK, not a MAK.</summary>
        MakGvlk = 1101,
        /// <summary>MAK store: the declared kind contradicts the catalog's classification.</summary>
        MakContradiction = 1102,
        /// <summary>MAK store: the catalog classifies the key as a channel the store does not keep (OEM, evaluation...).</summary>
        MakUnsupportedChannel = 1103,
        /// <summary>MAK store: the key is in the store already.</summary>
        MakDuplicate = 1104,
        /// <summary>MAK store: the selector matches several entries; use the id.</summary>
        MakAmbiguous = 1105,
        /// <summary>MAK store file: not JSON, not the store's shape, or an invalid entry.</summary>
        MakStoreFormat = 1106,
        /// <summary>MAK store file: another format, or a version this volact does not read.</summary>
        MakStoreVersion = 1107,
        /// <summary>MAK store file: its group or others can read it (Unix); <c>chmod 600</c> it.</summary>
        MakStoreExposed = 1108,
        /// <summary>MAK store: invalid for another reason.</summary>
        MakStoreOther = 1199,
        /// <summary>Workflow: an unknown plan kind or render format, a plan missing the MAK or CIL it needs, a KMS host that is not host[:port], fewer targets than the run's machines.</summary>
        WorkflowInput = 1200,
        /// <summary>Workflow: a survey, plan or saved run that is not JSON of the right shape (line and column in the message).</summary>
        WorkflowJson = 1201,
        /// <summary>Workflow: a phone-activation CSV line that is not installation_id,confirmation_id.</summary>
        WorkflowCidCsv = 1202,
        /// <summary>Workflow: a callback wrote more than 64 MiB into a sink.</summary>
        WorkflowSinkFull = 1203,
        /// <summary>Workflow: invalid for another reason.</summary>
        WorkflowOther = 1299,
        /// <summary>Unattend.xml: not UTF-8 text, or UTF-16 text with a byte order mark (the message gives the byte offset).</summary>
        UnattendEncoding = 1300,
        /// <summary>Unattend.xml: not well-formed XML (the message gives the byte offset).</summary>
        UnattendXml = 1301,
        /// <summary>Unattend.xml: a document type declaration (refused; nothing is expanded or fetched).</summary>
        UnattendDtd = 1302,
        /// <summary>Unattend.xml: the root element is not <c>unattend</c>.</summary>
        UnattendNotUnattend = 1303,
        /// <summary>Unattend.xml: larger than 8 MiB.</summary>
        UnattendTooLarge = 1304,
        /// <summary>Unattend.xml: no place setup reads a product key from, to set the key in.</summary>
        UnattendNoKeyPlace = 1305,
        /// <summary>Unattend.xml: a key place holds markup (a comment, CDATA, child elements), not just text (the message gives the line).</summary>
        UnattendComplexValue = 1306,
        /// <summary>Unattend.xml: invalid for another reason.</summary>
        UnattendOther = 1399,
    }

    /// <summary>
    /// Why an operation on a target failed (<c>VOLACT_TARGET_ERROR_*</c>, the core's
    /// <c>TargetError</c> kinds): what an <see cref="IActivationTarget"/> reports by throwing
    /// an <see cref="ActivationTargetException"/>.
    /// </summary>
    public enum TargetErrorKind : uint
    {
        /// <summary>The machine did not answer (offline, WMI blocked by the firewall).</summary>
        Unreachable = 0,
        /// <summary>Remote administration was refused (credentials, UAC remote restrictions).</summary>
        AccessDenied = 1,
        /// <summary>The licensing service returned an HRESULT (the exception's <c>Code</c>).</summary>
        Licensing = 2,
        /// <summary>No product with the Activation ID (the exception's message holds the ID).</summary>
        NoSuchProduct = 3,
        /// <summary>Anything else.</summary>
        Other = 4,
    }

    /// <summary>
    /// A license state (<c>volact_license_status</c>): the WMI numbers of
    /// <c>SoftwareLicensingProduct.LicenseStatus</c>. <see cref="License.FromWmi"/> checks a number.
    /// </summary>
    public enum LicenseStatus : uint
    {
        Unlicensed = 0,
        Licensed = 1,
        /// <summary>Out-of-box (initial) grace.</summary>
        OobGrace = 2,
        /// <summary>Out-of-tolerance grace: the KMS activation expired, or the hardware changed.</summary>
        OotGrace = 3,
        NonGenuineGrace = 4,
        Notification = 5,
        ExtendedGrace = 6,
    }

    /// <summary>What <see cref="SrvPlanner.Plan"/> writes (<c>volact_srv_format</c>).</summary>
    public enum SrvFormat : uint
    {
        /// <summary>The plan as JSON: <c>{"domains", "hosts", "zones", "ttl", "scavenging", "notes"}</c>.</summary>
        Json = 0,
        /// <summary>A zone-file fragment: each domain's <c>_vlmcs._tcp</c> SRV records.</summary>
        Zone = 1,
        /// <summary>An <c>nsupdate</c> script replacing each domain's RRset.</summary>
        Nsupdate = 2,
        /// <summary>PowerShell <c>Add-DnsServerResourceRecord -Srv</c> lines.</summary>
        Powershell = 3,
        /// <summary><c>reg add</c> commands for each host.</summary>
        Registry = 4,
        /// <summary>Each host's <c>DnsDomainPublishList</c>: a <c>[host]</c> line, then one string a line.</summary>
        PublishLists = 5,
    }

    /// <summary>How SRV records are ordered (<c>volact_srv_order_mode</c>).</summary>
    public enum SrvOrderMode : uint
    {
        /// <summary>RFC 2782: priority ascending, weighted draw within a priority (Windows 7 / 2008 R2 and later).</summary>
        Rfc2782 = 0,
        /// <summary>A uniform shuffle ignoring priority and weight (older clients).</summary>
        Legacy = 1,
    }

    /// <summary>What <see cref="CilDocument.Export"/> keeps (<c>VOLACT_CIL_EXPORT_*</c>).</summary>
    public enum ExportMode : uint
    {
        /// <summary>
        /// Products and their licensing data (VAMT's <c>Export-VamtData</c>); computer names,
        /// OS, network names, MAC addresses and groups only with <c>includeSensitive</c>.
        /// </summary>
        Standard = 0,
        /// <summary>
        /// Only what Confirmation ID acquisition needs: computer <c>Id</c>, <c>Sku</c>,
        /// <c>ProductKeyId</c>, <c>InstallationId</c> and the CIDs.
        /// </summary>
        ProxyOnly = 1,
    }

    /// <summary>
    /// The kind of a key in the MAK store (<c>VOLACT_KEY_KIND_*</c>), as
    /// <see cref="MakStore.Add"/> declares it for a key no catalog knows.
    /// </summary>
    public enum KeyKind : uint
    {
        /// <summary>No declaration: the catalog must know the key.</summary>
        None = 0,
        /// <summary>A Multiple Activation Key (<c>Volume:MAK</c>).</summary>
        Mak = 1,
        /// <summary>A KMS host key (<c>Volume:CSVLK</c>).</summary>
        Csvlk = 2,
        /// <summary>A retail key (<c>Retail</c>).</summary>
        Retail = 3,
    }

    /// <summary>Product key algorithm (<c>volact_algorithm</c>).</summary>
    public enum KeyAlgorithm : uint
    {
        /// <summary>The text does not pass the syntax rules.</summary>
        None = 0,
        /// <summary><c>msft:rm/algorithm/pkey/2005</c>: no N, no offline checksum.</summary>
        Pkey2005 = 1,
        /// <summary><c>msft:rm/algorithm/pkey/2009</c>: one N, a 10-bit checksum.</summary>
        Pkey2009 = 2,
    }

    /// <summary>Installation ID or Confirmation ID (<c>volact_id_kind</c>).</summary>
    public enum IdKind : uint
    {
        /// <summary>The digit count fits no known layout.</summary>
        Unknown = 0,
        InstallationId = 1,
        ConfirmationId = 2,
    }

    /// <summary>Registry blob layouts (<c>volact_dpid_layout</c>).</summary>
    public enum DpidLayout : uint
    {
        /// <summary><c>DigitalProductId</c>: key bytes at offset 52.</summary>
        DigitalProductId = 0,
        /// <summary><c>DigitalProductId4</c>: key bytes at offset 808 (third-party sources only).</summary>
        DigitalProductId4 = 1,
    }

    /// <summary>The per-line verdict of <see cref="Keys.CheckBatch"/> (statuses of <c>volact_keys_check_batch</c>).</summary>
    public enum KeyStatus : byte
    {
        Invalid = 0,
        ValidPkey2005 = 1,
        ValidPkey2009 = 2,
        /// <summary>A pkey2009 key whose checksum does not match: a mistyped key.</summary>
        ChecksumMismatch = 3,
    }
}
