//! Inventory: the survey of machines volact cannot reach itself. An administrator runs
//! [`collect_script`] on each machine (locally, through `Invoke-Command`, or through the
//! management agent they already have); it prints one [`Surveyed`] entry as JSON, and
//! [`read_survey`] reads those outputs back, one file or many, for the plan builders and
//! [`collect_cil`](super::collect_cil).
//!
//! This is VAMT's "Refresh Computer Status" (the seed, MAK independent step 4 and proxy step
//! 3) without remote WMI from volact: the same `root\cimv2` classes and properties
//! (facts.md §5.2), read on the machine, so it works in an isolated lab where only the
//! administrator's own tooling reaches the computers.

use super::WorkflowError;
use super::run::Surveyed;

/// The PowerShell collection script: run on one Windows machine, it prints that machine's
/// survey entry as one line of JSON in exactly the shape of [`Surveyed`]
/// (`{"machine":{…},"products":[…]}`, or `{"error":{"kind":…,"detail":…}}`).
///
/// What it reads (facts.md §5.2, `root\cimv2`):
/// - `Win32_ComputerSystem`: `Name`, `PartOfDomain`, `Domain`, `Workgroup` → the machine's
///   name, `network_type` (`Domain`/`Workgroup`) and `network_name`;
/// - `Win32_OperatingSystem`: `Version` → `os_version`; `Caption` and `BuildNumber` → the
///   product `family` as the GVLK tables head it (`Microsoft Windows 11 Enterprise` →
///   `Windows 11`; LTSC/LTSB and Server SAC releases by build, as their captions do not name
///   the release; facts.md §3);
/// - `Win32_NetworkAdapterConfiguration` (IP-enabled adapters): `MACAddress` →
///   `mac_addresses`, in the CIL's dashed form;
/// - `SoftwareLicensingProduct` where `PartialProductKey IS NOT NULL` (a key is installed):
///   `ID`, `ApplicationID`, `Name`, `ProductKeyChannel` (8.1 and later; before that the
///   channel is read from `Description`, facts.md §1.5), `LicenseStatus`,
///   `GracePeriodRemaining` (minutes), `OfflineInstallationId`, `ProductKeyID`,
///   `PartialProductKey`; the base Windows product is listed before add-ons
///   (`LicenseIsAddon`), because a MAK replaces the base product's key;
/// - `HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion` `EditionID` → `edition_id`
///   (pkeyconfig's `EditionId`; unlike the caption it is not translated).
///
/// It changes nothing, needs no elevation to read, and prints no product key: only the
/// last five characters Windows itself shows. A failure is printed as an entry with an
/// `error` (`access_denied` or `other`), keeping the machine when it was read, so the
/// machine is listed with the reason rather than lost.
///
/// ```
/// let script = volact::workflow::inventory::collect_script();
/// assert!(script.contains("SoftwareLicensingProduct"));
/// assert!(script.contains("ConvertTo-Json"));
/// ```
pub fn collect_script() -> &'static str {
    SCRIPT
}

const SCRIPT: &str = r#"<#
volact inventory collection script (`volact plan collect-script`).

Prints this machine's volume-activation status as one line of JSON: the survey entry that
`volact plan ... --survey FILE` and `volact proxy collect --survey FILE` read. It reads
Win32_ComputerSystem, Win32_OperatingSystem, Win32_NetworkAdapterConfiguration,
SoftwareLicensingProduct (products with a key installed) and the EditionID registry value.
It changes nothing and prints no product key (only the last five characters Windows shows).

On one machine:
  powershell -NoProfile -ExecutionPolicy Bypass -File volact-collect.ps1 | Out-File -Encoding utf8 "$env:COMPUTERNAME.json"
On several, from an administrator's machine (one line per machine in one file):
  Invoke-Command -ComputerName LAB-01, LAB-02 -FilePath volact-collect.ps1 | Out-File -Encoding utf8 lab.json
#>
$ErrorActionPreference = 'Stop'
$WindowsApplicationId = '55c92734-d682-4d71-983e-d6ec3f16059f'

# Text or null: WMI leaves absent values null or empty.
function Get-VolactText($Value) {
    if ($null -eq $Value -or [string]$Value -eq '') { return $null }
    return [string]$Value
}

# The family as Microsoft's GVLK tables head it. The caption names the release in every
# language; LTSC/LTSB and Server SAC captions do not, so those go by build.
function Get-VolactFamily([string]$Caption, [string]$EditionId, [int]$Build) {
    if ($EditionId -match '^IoTEnterpriseS') {
        switch ($Build) {
            19044 { return 'Windows IoT LTSC 2021' }
            26100 { return 'Windows IoT LTSC 2024' }
        }
    } elseif ($EditionId -match '^EnterpriseS') {
        switch ($Build) {
            10240 { return 'Windows 10 LTSB 2015' }
            14393 { return 'Windows 10 LTSB 2016' }
            17763 { return 'Windows 10 LTSC 2019' }
            19044 { return 'Windows 10 LTSC 2021' }
            26100 { return 'Windows 11 LTSC 2024' }
        }
    }
    $text = $Caption -replace '[^\x20-\x7E]', ' ' -replace '\((R|TM)\)', ' ' -replace '\s+', ' '
    $text = $text.Trim() -replace '^Microsoft ', ''
    if ($text -match '^(Windows Server \d{4}( R2)?)\b') { return $Matches[1] }
    if ($text -match '^Windows Server\b') {
        switch ($Build) {
            16299 { return 'Windows Server, version 1709' }
            17134 { return 'Windows Server, version 1803' }
            { $_ -in 17763, 18362, 18363, 19041, 19042 } { return 'Windows Server SAC (versions 1809, 1903, 1909, 2004, 20H2)' }
        }
    }
    if ($text -match '^(Windows (Vista|\d+(\.\d+)?))\b') { return $Matches[1] }
    return $text
}

# ProductKeyChannel exists from Windows 8.1 on; before that the Description names the channel.
function Get-VolactChannel($Product) {
    $channel = Get-VolactText $Product.ProductKeyChannel
    if ($channel) { return $channel }
    $description = [string]$Product.Description
    if ($description -match 'VOLUME_KMSCLIENT channel') { return 'Volume:GVLK' }
    if ($description -match 'VOLUME_MAK channel') { return 'Volume:MAK' }
    if ($description -match 'VOLUME_KMS channel') { return 'Volume:CSVLK' }
    if ($description -match 'RETAIL channel') { return 'Retail' }
    if ($description -match '(\w+) channel') { return $Matches[1] }
    return ''
}

function Get-VolactProducts([string]$Family, [string]$EditionId) {
    $all = @(Get-CimInstance -ClassName SoftwareLicensingProduct -Filter 'PartialProductKey IS NOT NULL')
    # The base product first: add-ons (ESU) share Windows' ApplicationID, and a MAK
    # replaces the base product's key.
    $sorted = @($all | Where-Object { -not $_.LicenseIsAddon }) + @($all | Where-Object { $_.LicenseIsAddon })
    foreach ($p in $sorted) {
        $isWindows = ([string]$p.ApplicationID) -eq $WindowsApplicationId
        $productFamily = ''
        $productEdition = [string]$p.LicenseFamily
        if ($isWindows) {
            $productFamily = $Family
            $productEdition = $EditionId
        }
        [ordered]@{
            activation_id = [string]$p.ID
            application_id = [string]$p.ApplicationID
            name = [string]$p.Name
            family = $productFamily
            edition_id = $productEdition
            channel = (Get-VolactChannel $p)
            license_status = [uint32]$p.LicenseStatus
            grace_remaining = [uint32]$p.GracePeriodRemaining
            installation_id = (Get-VolactText $p.OfflineInstallationId)
            product_key_id = (Get-VolactText $p.ProductKeyID)
            partial_product_key = (Get-VolactText $p.PartialProductKey)
        }
    }
}

$entry = [ordered]@{}
try {
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $networkType = 'Workgroup'
    $networkName = [string]$cs.Workgroup
    if ($cs.PartOfDomain) {
        $networkType = 'Domain'
        $networkName = [string]$cs.Domain
    } elseif (-not $networkName) {
        $networkName = [string]$cs.Domain
    }
    $macs = @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE' |
        Where-Object { $_.MACAddress } |
        ForEach-Object { ([string]$_.MACAddress).Replace(':', '-').ToUpperInvariant() } |
        Sort-Object -Unique)
    $entry.machine = [ordered]@{
        name = [string]$cs.Name
        network_type = $networkType
        network_name = $networkName
        os_version = [string]$os.Version
        mac_addresses = $macs
    }
    $editionId = [string](Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name EditionID).EditionID
    $family = Get-VolactFamily -Caption ([string]$os.Caption) -EditionId $editionId -Build ([int]$os.BuildNumber)
    $entry.products = @(Get-VolactProducts -Family $family -EditionId $editionId)
} catch {
    $kind = 'other'
    if ($_.Exception -is [System.UnauthorizedAccessException] -or $_.Exception.Message -match 'Access (is )?denied') {
        $kind = 'access_denied'
    }
    $entry.Remove('products')
    $entry.error = [ordered]@{
        kind = $kind
        detail = [string]$_.Exception.Message
    }
}
ConvertTo-Json -InputObject $entry -Depth 6 -Compress
"#;

/// Reads survey files: the outputs of [`collect_script`], as the administrator gathered
/// them. A file holds one entry, an array of entries, or several of either one after
/// another (`Invoke-Command` over several machines prints one line each); UTF-8 with or
/// without a byte-order mark, or UTF-16 with one (what Windows PowerShell 5.1's `>`
/// writes). Every entry needs `machine` and `products`, or `error`.
///
/// Errors name the line and column of the text (1-based), for a syntax error and for a
/// value of the wrong shape alike.
///
/// ```
/// use volact::workflow::inventory::read_survey;
/// let text = br#"{"error":{"kind":"unreachable","detail":"RPC server unavailable"}}
/// {"machine":{"name":"LAB-01","network_type":"Workgroup","network_name":"LAB",
///   "os_version":"10.0.22631","mac_addresses":[]},"products":[]}"#;
/// let entries = read_survey(text)?;
/// assert_eq!(entries.len(), 2);
/// assert_eq!(entries[1].name(1), "LAB-01");
/// let e = read_survey(b"{\"machine\": {\"name\": 1}}").unwrap_err().to_string();
/// assert!(e.contains("line 1, column"), "{e}");
/// # Ok::<(), volact::workflow::WorkflowError>(())
/// ```
pub fn read_survey(bytes: &[u8]) -> Result<Vec<Surveyed>, WorkflowError> {
    let text = decode(bytes)?;
    let mut entries = Vec::new();
    let mut read_any = false;
    let mut offset = 0;
    loop {
        let rest = &text[offset..];
        let start = offset + (rest.len() - rest.trim_start().len());
        if start == text.len() {
            break;
        }
        let (line, column) = position(&text, start);
        let value = &text[start..];
        let at = |e: serde_json::Error| {
            let (l, c) = if e.line() <= 1 {
                (line, column + e.column().saturating_sub(1))
            } else {
                (line + e.line() - 1, e.column())
            };
            survey_error(l, c, strip_position(&e))
        };
        let (found, used) = if value.starts_with('[') {
            let mut stream = serde_json::Deserializer::from_str(value).into_iter::<Vec<Surveyed>>();
            match stream.next() {
                Some(Ok(list)) => (list, stream.byte_offset()),
                Some(Err(e)) => return Err(at(e)),
                None => break,
            }
        } else {
            let mut stream = serde_json::Deserializer::from_str(value).into_iter::<Surveyed>();
            match stream.next() {
                Some(Ok(one)) => (vec![one], stream.byte_offset()),
                Some(Err(e)) => return Err(at(e)),
                None => break,
            }
        };
        for (i, entry) in found.iter().enumerate() {
            let answered = entry.machine.is_some() && entry.products.is_some();
            if !answered && entry.error.is_none() {
                let which = if value.starts_with('[') {
                    format!("entry {} of the array", i + 1)
                } else {
                    "the entry".to_owned()
                };
                return Err(survey_error(
                    line,
                    column,
                    format!(
                        "{which} has neither \"machine\" and \"products\" nor \"error\": not a survey entry"
                    ),
                ));
            }
        }
        entries.extend(found);
        read_any = true;
        offset = start + used;
    }
    // An empty file is a mistake; an explicit `[]` is a survey of no machine (a program
    // with no targets).
    if !read_any {
        return Err(WorkflowError::Input {
            detail: "survey JSON: no entry".into(),
        });
    }
    Ok(entries)
}

fn survey_error(line: usize, column: usize, detail: String) -> WorkflowError {
    WorkflowError::SurveyJson {
        line,
        column,
        detail,
    }
}

/// serde_json's message without its own " at line L column C" (relative to one value).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The text of a survey file: UTF-8 (a byte-order mark skipped) or UTF-16 with its mark.
fn decode(bytes: &[u8]) -> Result<String, WorkflowError> {
    let utf16 = |be: bool| -> Result<String, WorkflowError> {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err(WorkflowError::Input {
                detail: "survey JSON: UTF-16 text with an odd number of bytes".into(),
            });
        }
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|p| {
                if be {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| WorkflowError::Input {
            detail: "survey JSON: invalid UTF-16".into(),
        })
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8(body.to_vec()).map_err(|e| {
                let (line, column) = position(
                    std::str::from_utf8(&body[..e.utf8_error().valid_up_to()]).unwrap_or(""),
                    e.utf8_error().valid_up_to(),
                );
                survey_error(
                    line,
                    column,
                    "not UTF-8 (save the file as UTF-8 or UTF-16 with a byte-order mark)".into(),
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, Channel};
    use crate::license::{LicenseStatus, Minutes};
    use crate::workflow::{MachineInfo, NetworkType, TargetError, TargetProduct};

    fn sample() -> Surveyed {
        Surveyed {
            machine: Some(MachineInfo {
                name: "LAB-01".into(),
                network_type: NetworkType::Workgroup,
                network_name: "ISOLATED".into(),
                os_version: "10.0.22631".into(),
                mac_addresses: vec!["00-15-5D-00-00-01".into()],
            }),
            products: Some(vec![TargetProduct {
                activation_id: "sku".into(),
                application_id: crate::workflow::WINDOWS_APPLICATION_ID.into(),
                name: "Windows(R), Enterprise edition".into(),
                family: "Windows 11".into(),
                edition_id: "Enterprise".into(),
                channel: Channel::VolumeMak,
                license_status: LicenseStatus::OOBGrace,
                grace_remaining: Minutes(43_200),
                installation_id: Some("1".into()),
                product_key_id: Some("2".into()),
                partial_product_key: Some("6Q83G".into()),
            }]),
            error: None,
        }
    }

    fn keys(value: &serde_json::Value) -> Vec<String> {
        value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Every field the JSON shape needs is written by the script as `name = …` (machine and
    /// product dictionaries) or `$entry.name = …` (the entry), so a field added to or renamed
    /// in `MachineInfo`, `TargetProduct`, `Surveyed` or `TargetError` fails here.
    #[test]
    fn the_script_writes_every_field_of_the_survey_shape() {
        let script = collect_script();
        let entry = serde_json::to_value(sample()).unwrap();
        let error = serde_json::to_value(TargetError::AccessDenied {
            detail: String::new(),
        })
        .unwrap();
        let mut fields = keys(&entry["machine"]);
        fields.extend(keys(&entry["products"][0]));
        fields.extend(keys(&error));
        assert_eq!(fields.len(), 5 + 11 + 2, "{fields:?}");
        for field in &fields {
            assert!(
                script.contains(&format!("\n            {field} = "))
                    || script.contains(&format!("\n        {field} = ")),
                "the script does not write {field}"
            );
        }
        for part in ["machine", "products", "error"] {
            assert!(script.contains(&format!("$entry.{part} = ")), "{part}");
        }
        // The values it writes as text are the ones volact reads.
        for n in [NetworkType::Domain, NetworkType::Workgroup] {
            assert!(script.contains(&format!("'{}'", n.as_str())));
        }
        for kind in ["access_denied", "other"] {
            assert!(TargetError::KINDS.contains(&kind));
            assert!(script.contains(&format!("'{kind}'")));
        }
        for channel in [
            Channel::VolumeGvlk,
            Channel::VolumeMak,
            Channel::VolumeCsvlk,
            Channel::Retail,
        ] {
            assert!(script.contains(&format!("'{}'", channel.product_key_type())));
        }
        assert!(script.contains(crate::workflow::WINDOWS_APPLICATION_ID));
        for class in [
            "Win32_ComputerSystem",
            "Win32_OperatingSystem",
            "Win32_NetworkAdapterConfiguration",
            "SoftwareLicensingProduct -Filter 'PartialProductKey IS NOT NULL'",
            r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name EditionID",
        ] {
            assert!(script.contains(class), "{class}");
        }
    }

    /// The families the script names by build are families of the GVLK tables, spelled as
    /// they are there.
    #[test]
    fn the_families_the_script_names_are_catalog_families() {
        let script = collect_script();
        let named: Vec<&str> = script
            .split("return '")
            .skip(1)
            .filter_map(|s| s.split('\'').next())
            .filter(|s| s.starts_with("Windows "))
            .collect();
        assert!(named.len() >= 9, "{named:?}");
        for family in named {
            assert!(
                catalog::rows().iter().any(|r| r.family == family),
                "{family} is not a GVLK table family"
            );
        }
    }

    #[test]
    fn the_script_is_ascii_so_any_powershell_reads_it() {
        assert!(collect_script().is_ascii());
        assert!(!collect_script().contains('\t'));
    }

    /// What Windows PowerShell 5.1's `ConvertTo-Json -Compress` prints for the script's
    /// dictionaries (numbers unquoted, nulls, `\u0027`-style escapes), read back.
    #[test]
    fn the_scripts_output_reads_back() {
        let line = r#"{"machine":{"name":"LAB-01","network_type":"Workgroup","network_name":"ISOLATED","os_version":"10.0.22631","mac_addresses":["00-15-5D-00-00-01"]},"products":[{"activation_id":"sku","application_id":"55c92734-d682-4d71-983e-d6ec3f16059f","name":"Windows(R), Enterprise edition","family":"Windows 11","edition_id":"Enterprise","channel":"Volume:MAK","license_status":2,"grace_remaining":43200,"installation_id":"1","product_key_id":"2","partial_product_key":"6Q83G"}]}"#;
        assert_eq!(read_survey(line.as_bytes()).unwrap(), vec![sample()]);
        // The same as UTF-16LE with a byte-order mark, as `>` writes it in PowerShell 5.1.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(line.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read_survey(&utf16).unwrap(), vec![sample()]);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(line.as_bytes());
        assert_eq!(read_survey(&bom).unwrap(), vec![sample()]);
        // The machine kept beside an error: listed under its name, with the error.
        let failed = r#"{"machine":{"name":"LAB-02","network_type":"Domain","network_name":"corp.example","os_version":"10.0.19045","mac_addresses":[]},"error":{"kind":"access_denied","detail":"Access denied"}}"#;
        let e = read_survey(failed.as_bytes()).unwrap();
        assert_eq!(e[0].name(0), "LAB-02");
        assert!(matches!(
            e[0].answer(),
            Err(TargetError::AccessDenied { .. })
        ));
    }

    #[test]
    fn files_may_hold_entries_arrays_and_several_of_them() {
        let one = serde_json::to_string(&sample()).unwrap();
        let text = format!(
            "{one}\n[{one}, {{\"error\":{{\"kind\":\"unreachable\",\"detail\":\"x\"}}}}]\n\n{one}"
        );
        let entries = read_survey(text.as_bytes()).unwrap();
        assert_eq!(entries.len(), 4);
        assert!(entries[2].error.is_some());
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let one = serde_json::to_string(&sample()).unwrap();
        // A syntax error on line 3.
        let text = format!("{one}\n\n  {{\"machine\": }}\n");
        let e = read_survey(text.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("survey JSON line 3, column 15: "), "{e}");
        // A shape error inside a pretty-printed value that starts on line 2.
        let pretty = serde_json::to_string_pretty(&sample())
            .unwrap()
            .replace("\"license_status\": 2", "\"license_status\": 9");
        let bad_line = pretty
            .lines()
            .position(|l| l.contains("license_status"))
            .unwrap()
            + 2;
        let e = read_survey(format!("{one}\n{pretty}").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("survey JSON line {bad_line}, column ")),
            "{e}"
        );
        assert!(!e.contains(" at line "), "{e}");
        // A JSON object that is not a survey entry (a plan, say).
        let e = read_survey(br#"[{"kind":"proxy-apply","machines":[]}]"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("entry 1 of the array") && e.contains("line 1"),
            "{e}"
        );
        assert!(read_survey(b"  \n").is_err());
        let e = read_survey(b"{}\n\xFF").unwrap_err().to_string();
        assert!(
            e.contains("line 2, column 1") && e.contains("not UTF-8"),
            "{e}"
        );
        assert!(read_survey(&[0xFF, 0xFE, 0x41]).is_err());
    }
}
