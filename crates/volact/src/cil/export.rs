//! Secure export, mirroring VAMT's `Export-VamtData` and "Export proxy activation data only"
//! (research/vamt.md §4): an **allow-list**. The export is written afresh from what volact
//! understands, so nothing it does not name can slip through: unknown elements and
//! attributes may identify someone, and are dropped from every export.

use super::xml::{encode, escape_attr, escape_text};
use super::{CilDocument, Computer, Field, Product};

/// What an export keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExportMode {
    /// Products and their licensing data; computer-identifying data only with
    /// `include_sensitive` (VAMT's default `Export-VamtData`).
    #[default]
    Standard,
    /// Only what Confirmation ID acquisition needs: computer `Id`, `Sku`, `ProductKeyId`,
    /// `InstallationId` and the CIDs (VAMT's "Export proxy activation data only").
    ProxyOnly,
}

/// Export options (`volact cil export`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExportOptions {
    /// The mode.
    pub mode: ExportMode,
    /// Keep computer names, OS, network names, MAC addresses and groups (`Standard` only).
    pub include_sensitive: bool,
    /// Keep full product keys.
    pub include_product_keys: bool,
}

/// Export options that contradict each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportOptionsError {
    /// A proxy-only export keeps no computer-identifying data, so asking it to keep that data
    /// is a mistake worth stopping at rather than a flag to ignore.
    #[error(
        "a proxy-only export keeps no computer-identifying data: include_sensitive \
         (--include-sensitive) cannot be used with proxy-only"
    )]
    SensitiveInProxyOnly,
}

impl ExportOptions {
    /// Options checked for contradictions: the one constructor the CLI and the bindings use,
    /// so every front end refuses the same combinations with the same words.
    ///
    /// ```
    /// use volact::cil::{ExportMode, ExportOptions};
    /// assert!(ExportOptions::new(ExportMode::ProxyOnly, true, false).is_err());
    /// assert!(ExportOptions::new(ExportMode::Standard, true, true).is_ok());
    /// ```
    pub fn new(
        mode: ExportMode,
        include_sensitive: bool,
        include_product_keys: bool,
    ) -> Result<Self, ExportOptionsError> {
        if mode == ExportMode::ProxyOnly && include_sensitive {
            return Err(ExportOptionsError::SensitiveInProxyOnly);
        }
        Ok(Self {
            mode,
            include_sensitive,
            include_product_keys,
        })
    }

    /// Whether the export keeps a field.
    pub fn keeps(&self, field: Field) -> bool {
        match field {
            Field::ProductKey => self.include_product_keys,
            Field::ProductKeyId
            | Field::InstallationId
            | Field::PendingConfirmationId
            | Field::ConfirmationId => true,
            Field::LicenseStatus | Field::ProductKeyType | Field::PartialProductKey => {
                self.mode == ExportMode::Standard
            }
        }
    }

    fn keeps_identity(&self) -> bool {
        self.mode == ExportMode::Standard && self.include_sensitive
    }
}

/// Writes the export of a document, in the document's encoding.
///
/// ```
/// use volact::cil::{export, CilDocument, ExportMode, ExportOptions};
/// let doc = CilDocument::parse(br#"<SoftwareLicensingData Version="2.0"><Computers>
///   <Computer Id="{1}" Name="LAB-PC1" NetworkType="Workgroup" NetworkName="LAB"><x:secret xmlns:x="urn:x"/>
///   <Products><Product><Sku Id="{s}"/><ProductKeyType>Volume:MAK</ProductKeyType></Product></Products>
///   </Computer></Computers></SoftwareLicensingData>"#)?;
/// let out = String::from_utf8(export(&doc, ExportOptions { mode: ExportMode::ProxyOnly, ..Default::default() })).unwrap();
/// assert!(!out.contains("LAB") && !out.contains("secret") && !out.contains("Volume:MAK"));
/// assert!(out.contains(r#"<Computer Id="{1}">"#));
/// # Ok::<(), volact::cil::CilError>(())
/// ```
pub fn export(doc: &CilDocument, options: ExportOptions) -> Vec<u8> {
    let mut out = String::with_capacity(1024 + doc.computers().len() * 512);
    let encoding_name = match doc.encoding() {
        super::Encoding::Utf8 { .. } => "utf-8",
        _ => "utf-16",
    };
    out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"{encoding_name}\"?>\n<SoftwareLicensingData Version=\"{}\">\n  <Computers>\n",
        escape_attr(doc.version().unwrap_or("2.0"))
    ));
    for computer in doc.computers() {
        write_computer(&mut out, computer, &options);
    }
    out.push_str("  </Computers>\n</SoftwareLicensingData>\n");
    encode(&out, doc.encoding())
}

fn attr(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.push_str(&format!(" {name}=\"{}\"", escape_attr(v)));
    }
}

fn write_computer(out: &mut String, c: &Computer, options: &ExportOptions) {
    out.push_str("    <Computer");
    attr(out, "Id", c.id.as_deref());
    if options.keeps_identity() {
        attr(out, "Name", c.name.as_deref());
        attr(out, "OSVersion", c.os_version.as_deref());
        attr(out, "OSEdition", c.os_edition.as_deref());
        attr(out, "NetworkType", c.network_type.as_deref());
        attr(out, "NetworkName", c.network_name.as_deref());
    } else if options.mode == ExportMode::Standard {
        // VAMT 2.0's secure export: "value will be None" (vamt.md §2).
        attr(out, "NetworkType", Some("None"));
    }
    out.push_str(">\n");
    if options.keeps_identity() {
        write_list(out, "MacAddresses", "MacAddress", &c.mac_addresses);
        write_list(out, "Groups", "Group", &c.groups);
    }
    out.push_str("      <Products>\n");
    for p in &c.products {
        write_product(out, p, options);
    }
    out.push_str("      </Products>\n    </Computer>\n");
}

fn write_list(out: &mut String, list: &str, item: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    out.push_str(&format!("      <{list}>\n"));
    for v in values {
        out.push_str(&format!("        <{item}>{}</{item}>\n", escape_text(v)));
    }
    out.push_str(&format!("      </{list}>\n"));
}

fn write_product(out: &mut String, p: &Product, options: &ExportOptions) {
    out.push_str("        <Product>\n");
    if let Some(sku) = &p.sku {
        out.push_str("          <Sku");
        attr(out, "Id", sku.id.as_deref());
        attr(out, "Name", sku.name.as_deref());
        attr(out, "ApplicationId", sku.application_id.as_deref());
        out.push_str("/>\n");
    }
    for field in Field::ALL {
        if !options.keeps(field) {
            continue;
        }
        let value = if field == Field::ProductKey {
            p.product_key().map(|k| k.reveal().to_owned())
        } else {
            p.get(field).map(str::to_owned)
        };
        if let Some(v) = value {
            let name = field.canonical();
            out.push_str(&format!("          <{name}>{}</{name}>\n", escape_text(&v)));
        }
    }
    out.push_str("        </Product>\n");
}
