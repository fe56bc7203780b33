//! CIL documents: VAMT's Computer Information List, read and written losslessly.
//!
//! MAK proxy activation carries an isolated lab's Installation IDs out, and Confirmation IDs
//! back in, as CIL files on removable media (the seed's 13 proxy-activation steps). A lost
//! CID costs an activation from the MAK's limited count; a leaked computer name breaks the
//! lab's policy; a dropped element corrupts a file VAMT owns. So:
//!
//! - [`CilDocument`] keeps every byte it does not understand and writes it back unchanged
//!   (see `xml.rs`); UTF-8 and UTF-16 are detected and kept; DTDs are never processed.
//! - [`export`] is an allow-list: only what the chosen mode keeps survives.
//! - [`merge`] applies a CID only to the product with the same SKU and the same IID it was
//!   issued for, never overwrites a different CID unless forced, and reports every decision.
//! - [`validate`] and [`summarize`] read without changing anything.
//!
//! The vocabulary is VAMT 2.0's (`SoftwareLicensingData` › `Computers` › `Computer` ›
//! `MacAddresses`, `Products` › `Product` › `Sku`); the product fields VAMT's help does not
//! show use the names in [`Field`] (see `fields.rs` and `docs/cil-format.md`).
//!
//! ```
//! use volact::cil::{CilDocument, Field};
//! let text = r#"<SoftwareLicensingData Version="2.0"><Computers>
//!   <Computer Id="{1}" Name="PC1"><Products><Product><Sku Id="{s}"/>
//!     <IID>070846984606199354110900862045444713121295109842549701</IID>
//!   </Product></Products></Computer></Computers></SoftwareLicensingData>"#;
//! let doc = CilDocument::parse(text.as_bytes())?;
//! let product = &doc.computers()[0].products[0];
//! assert!(product.get(Field::InstallationId).unwrap().starts_with("070846"));
//! // The alias `IID` is written back in the canonical form.
//! assert!(String::from_utf8(doc.to_bytes()).unwrap().contains("<InstallationId>"));
//! # Ok::<(), volact::cil::CilError>(())
//! ```

mod export;
mod fields;
pub mod json;
pub(crate) mod merge;
mod stream;
mod validate;
pub(crate) mod xml;

pub use export::{ExportMode, ExportOptions, ExportOptionsError, export};
pub use fields::{COMPUTER_ATTRIBUTES, Field, SKU_ATTRIBUTES};
pub use merge::{
    CidImportReport, CidImportRow, CidOutcome, MergeDecision, MergeOptions, MergeOutcome,
    MergeReport, add_cids, merge, merge_computers,
};
pub use stream::{MergeInputError, MergedCil, merge_bytes};
pub use validate::{Finding, FindingKind, Severity, Summary, summarize, validate};
pub use xml::{Encoding, Limits};

use std::fmt;
use xml::{Id, Kind, NIL, XmlDoc};

/// Why a CIL cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CilError {
    /// The bytes are not UTF-8 or UTF-16 text.
    #[error("encoding error at byte {offset}: {detail}")]
    Encoding {
        /// Byte offset in the file.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// The text is not well-formed XML.
    #[error("XML error at line {line}, column {column}: {detail}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        column: usize,
        /// What is wrong.
        detail: String,
    },
    /// The file is larger than the limit.
    #[error("file of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The file's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Elements nest deeper than the limit.
    #[error("elements nested deeper than {limit} at line {line}, column {column}")]
    TooDeep {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The limit.
        limit: usize,
    },
    /// The root element is not `SoftwareLicensingData`.
    #[error("not a CIL: the root element is <{root}>, expected <SoftwareLicensingData>")]
    NotCil {
        /// The root element's name.
        root: String,
    },
    /// A value volact reads cannot be read (a bad escape, an unexpanded DTD entity).
    #[error("computer {} ({}){}: {what}: {detail}", computer + 1, computer_id.as_deref().unwrap_or("no Id"), product.map(|p| format!(", product {}", p + 1)).unwrap_or_default())]
    Value {
        /// 0-based computer index.
        computer: usize,
        /// The computer's `Id`, when readable.
        computer_id: Option<String>,
        /// 0-based product index, when the value belongs to a product.
        product: Option<usize>,
        /// Which value.
        what: String,
        /// What is wrong.
        detail: String,
    },
}

/// A full product key as found in a CIL: masked in `Debug`, revealed only on request.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyText(String);

impl KeyText {
    /// The key text itself.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for KeyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyText({})", crate::key::masked_text(&self.0))
    }
}

/// A product's `Sku` element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sku {
    /// `Id`: the SKU (activation) GUID.
    pub id: Option<String>,
    /// `Name`: the product's name.
    pub name: Option<String>,
    /// `ApplicationId`: the application GUID (Windows, Office).
    pub application_id: Option<String>,
}

/// One product of a computer, as read. `Debug` masks the product key. Equality compares
/// what was read, not where it sits in the document.
#[derive(Clone, Eq)]
pub struct Product {
    /// The `Sku` element, when present.
    pub sku: Option<Sku>,
    values: [Option<String>; 8],
    /// Fields given more than once: (field, whether all occurrences agree).
    duplicates: Vec<(Field, bool)>,
    node: Id,
}

impl PartialEq for Product {
    fn eq(&self, other: &Self) -> bool {
        self.sku == other.sku && self.values == other.values && self.duplicates == other.duplicates
    }
}

impl fmt::Debug for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Product");
        d.field("sku", &self.sku);
        for field in Field::ALL {
            match field {
                Field::ProductKey => d.field(field.canonical(), &self.product_key()),
                _ => d.field(field.canonical(), &self.get(field)),
            };
        }
        d.finish()
    }
}

impl Product {
    /// A field's value (trimmed text), when present. `ProductKey` is only reachable through
    /// [`Product::product_key`], so it cannot be printed by accident.
    pub fn get(&self, field: Field) -> Option<&str> {
        if field == Field::ProductKey {
            return None;
        }
        self.values[field.rank() - 1].as_deref()
    }

    /// The full product key, when the file holds one.
    pub fn product_key(&self) -> Option<KeyText> {
        self.values[Field::ProductKey.rank() - 1]
            .clone()
            .map(KeyText)
    }

    /// Fields the file gives more than once (the first element, or else the first
    /// attribute, is the one read), with whether every occurrence has the same value.
    pub fn duplicate_fields(&self) -> &[(Field, bool)] {
        &self.duplicates
    }

    /// The SKU id, when present.
    pub fn sku_id(&self) -> Option<&str> {
        self.sku.as_ref().and_then(|s| s.id.as_deref())
    }
}

/// One computer, as read. Equality compares what was read, not where it sits.
#[derive(Clone, Debug, Eq)]
pub struct Computer {
    /// `Id`: VAMT's GUID for the computer.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `OSVersion`.
    pub os_version: Option<String>,
    /// `OSEdition`.
    pub os_edition: Option<String>,
    /// `NetworkType`: `Domain`, `Workgroup` or `None`.
    pub network_type: Option<String>,
    /// `NetworkName`: the domain or workgroup.
    pub network_name: Option<String>,
    /// `MacAddresses/MacAddress`.
    pub mac_addresses: Vec<String>,
    /// volact's `Groups/Group` (e.g. the seed's "Isolated Lab Group").
    pub groups: Vec<String>,
    /// `Products/Product`.
    pub products: Vec<Product>,
}

impl PartialEq for Computer {
    fn eq(&self, other: &Self) -> bool {
        (
            &self.id,
            &self.name,
            &self.os_version,
            &self.os_edition,
            &self.network_type,
            &self.network_name,
            &self.mac_addresses,
            &self.groups,
            &self.products,
        ) == (
            &other.id,
            &other.name,
            &other.os_version,
            &other.os_edition,
            &other.network_type,
            &other.network_name,
            &other.mac_addresses,
            &other.groups,
            &other.products,
        )
    }
}

/// A CIL document: the lossless XML plus the computers and products volact understands.
#[derive(Clone)]
pub struct CilDocument {
    xml: XmlDoc,
    /// The root's default namespace: VAMT elements are unprefixed and in this namespace
    /// (none in VAMT 2.0 files); anything else is an extension.
    ns: Option<String>,
    version: Option<String>,
    computers: Vec<Computer>,
}

impl fmt::Debug for CilDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CilDocument")
            .field("version", &self.version)
            .field("encoding", &self.xml.encoding)
            .field("computers", &self.computers.len())
            .finish()
    }
}

/// The trimmed value, or `None` when empty.
fn nonempty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl CilDocument {
    /// Reads a CIL (UTF-8 or UTF-16) with the default [`Limits`].
    pub fn parse(bytes: &[u8]) -> Result<Self, CilError> {
        Self::parse_with_limits(bytes, Limits::default())
    }

    /// Reads a CIL with explicit limits.
    pub fn parse_with_limits(bytes: &[u8], limits: Limits) -> Result<Self, CilError> {
        Self::parse_owned(bytes.to_vec(), limits)
    }

    /// Reads a CIL from bytes it may keep: UTF-8 input becomes the document's text without a
    /// copy, which halves the peak memory of loading a large file.
    pub fn parse_owned(bytes: Vec<u8>, limits: Limits) -> Result<Self, CilError> {
        let xml = XmlDoc::parse(bytes, limits)?;
        let root = xml.root();
        if xml.name(root) != "SoftwareLicensingData" {
            return Err(CilError::NotCil {
                root: xml.name(root).to_owned(),
            });
        }
        let mut doc = CilDocument {
            ns: xml.own_default_namespace(root).filter(|n| !n.is_empty()),
            version: xml.attribute(root, "Version").ok().flatten(),
            xml,
            computers: Vec::new(),
        };
        doc.canonicalize_fields();
        doc.computers = doc.read_computers()?;
        Ok(doc)
    }

    /// The document, encoded as it was read (UTF-8 or UTF-16, BOM kept).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.xml.to_bytes()
    }

    /// Writes the document, encoded as it was read, to a byte sink piece by piece (no copy
    /// of the whole document is made). The core does no I/O itself: the sink is the
    /// caller's (a `Vec`, or a file opened by `volact-io`).
    pub fn write_to<W: std::io::Write + ?Sized>(&self, sink: &mut W) -> std::io::Result<()> {
        self.xml.write_to(sink)
    }

    /// The document's encoding.
    pub fn encoding(&self) -> Encoding {
        self.xml.encoding
    }

    /// `SoftwareLicensingData@Version`.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The computers, in document order.
    pub fn computers(&self) -> &[Computer] {
        &self.computers
    }

    /// The computers, dropping the document's text and arena (for [`merge_computers`]).
    pub fn into_computers(self) -> Vec<Computer> {
        self.computers
    }

    /// Whether a child of a VAMT element is itself in the VAMT vocabulary: unprefixed, and
    /// not moved into another namespace by its own `xmlns`. (A prefixed `x:Product`, or a
    /// `Computer` under `xmlns="urn:other"`, is an extension, kept but not read.)
    fn is_vamt(&self, id: Id) -> bool {
        self.xml.is_element(id)
            && !self.xml.name(id).contains(':')
            && self
                .xml
                .own_default_namespace(id)
                .is_none_or(|n| (!n.is_empty()).then_some(n) == self.ns)
    }

    /// The VAMT children of a VAMT element with this exact name.
    fn vamt_children(&self, parent: Id, name: &str) -> Vec<Id> {
        self.xml
            .children(parent)
            .filter(|&c| self.xml.is_element(c) && self.xml.name(c) == name && self.is_vamt(c))
            .collect()
    }

    fn computer_nodes(&self) -> Vec<Id> {
        self.vamt_children(self.xml.root(), "Computers")
            .into_iter()
            .flat_map(|c| self.vamt_children(c, "Computer"))
            .collect()
    }

    fn product_nodes(&self, computer: Id) -> Vec<Id> {
        self.vamt_children(computer, "Products")
            .into_iter()
            .flat_map(|p| self.vamt_children(p, "Product"))
            .collect()
    }

    /// The field elements of a product, in document order (any accepted name, any case).
    fn field_elements(&self, product: Id) -> Vec<(Id, Field)> {
        self.xml
            .children(product)
            .filter(|&c| self.is_vamt(c))
            .filter_map(|c| Field::from_name(self.xml.name(c)).map(|f| (c, f)))
            .collect()
    }

    /// The field attributes of a product: (attribute index, field, value), unprefixed only.
    fn field_attributes(&self, product: Id) -> Vec<(usize, Field, String)> {
        self.xml
            .attributes(product)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter(|(_, (name, _))| !name.contains(':'))
            .filter_map(|(i, (name, value))| Field::from_name(&name).map(|f| (i, f, value)))
            .collect()
    }

    /// Rewrites fields into canonical child elements, so what volact writes is always the
    /// canonical form: the first element of each field is renamed to its canonical name,
    /// and a field given only as a `Product` attribute moves into an element. A field given
    /// twice keeps its first element (an element beats an attribute); the other
    /// occurrences stay verbatim and are reported by [`validate`] as duplicates.
    fn canonicalize_fields(&mut self) {
        for computer in self.computer_nodes() {
            for product in self.product_nodes(computer) {
                let mut seen = Vec::new();
                for (child, field) in self.field_elements(product) {
                    if seen.contains(&field) {
                        continue;
                    }
                    seen.push(field);
                    if self.xml.name(child) != field.canonical() {
                        self.xml.rename_element(child, field.canonical());
                    }
                }
                let mut moved: Vec<(usize, Field, String)> = Vec::new();
                for (i, field, value) in self.field_attributes(product) {
                    if !seen.contains(&field) {
                        seen.push(field);
                        moved.push((i, field, value));
                    }
                }
                let drop: Vec<usize> = moved.iter().map(|(i, _, _)| *i).collect();
                // Attributes that cannot be located exactly stay where they are (nothing is
                // dropped that is not also written back).
                if !moved.is_empty() && self.xml.drop_attributes(product, &drop) {
                    for (_, field, value) in moved {
                        self.insert_field(product, field, &value);
                    }
                }
            }
        }
    }

    /// The canonical element of a field under a product (the first, when given twice).
    fn field_element(&self, product: Id, field: Field) -> Option<Id> {
        self.xml.children(product).find(|&c| {
            self.xml.is_element(c) && self.xml.name(c) == field.canonical() && self.is_vamt(c)
        })
    }

    /// Adds `<Field>value</Field>` in canonical order, indented like its neighbours.
    fn insert_field(&mut self, product: Id, field: Field, value: &str) {
        self.xml.ensure_open(product);
        let rank = |doc: &Self, c: Id| -> Option<usize> {
            if !doc.is_vamt(c) {
                return None;
            }
            let name = doc.xml.name(c);
            if name == "Sku" {
                Some(0)
            } else {
                Field::from_name(name).map(Field::rank)
            }
        };
        let anchor = self
            .xml
            .children(product)
            .filter(|&c| rank(self, c).is_some_and(|r| r < field.rank()))
            .last()
            .unwrap_or(NIL);
        let element = self.xml.new_node(
            Kind::Element,
            format!("<{}>", field.canonical()),
            Some(format!("</{}>", field.canonical())),
        );
        self.xml.set_text_content(element, value);
        if anchor == NIL {
            self.xml.insert_after(product, NIL, element);
            return;
        }
        let before = self.xml.previous_sibling(product, anchor);
        let indent = (before != NIL && self.xml.node(before).kind == Kind::Text)
            .then(|| self.xml.text(self.xml.node(before).head).to_owned())
            .filter(|t| t.trim().is_empty());
        self.xml.insert_after(product, anchor, element);
        if let Some(indent) = indent {
            let ws = self.xml.new_node(Kind::Text, indent, None);
            self.xml.insert_after(product, anchor, ws);
        }
    }

    /// Sets a product field (escaping the value), adding the element when missing.
    pub(crate) fn set_field(&mut self, computer: usize, product: usize, field: Field, value: &str) {
        let node = self.computers[computer].products[product].node;
        match self.field_element(node, field) {
            Some(element) => self.xml.set_text_content(element, value),
            None => self.insert_field(node, field, value),
        }
        self.computers[computer].products[product].values[field.rank() - 1] =
            Some(value.to_owned());
    }

    fn read_computers(&self) -> Result<Vec<Computer>, CilError> {
        let x = &self.xml;
        // Exact capacities: a grown Vec keeps up to twice the slots it needs, which on a
        // 100,000-computer file is over 100 MB of empty product slots.
        let nodes = self.computer_nodes();
        let mut out = Vec::with_capacity(nodes.len());
        for (ci, node) in nodes.into_iter().enumerate() {
            let attrs = x.attributes(node).map_err(|detail| CilError::Value {
                computer: ci,
                computer_id: None,
                product: None,
                what: "Computer attributes".into(),
                detail,
            })?;
            let attr = |name: &str| {
                attrs
                    .iter()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| nonempty(v.clone()))
            };
            let id = attr("Id");
            let err = |product: Option<usize>, what: &str, detail: String| CilError::Value {
                computer: ci,
                computer_id: id.clone(),
                product,
                what: what.to_owned(),
                detail,
            };
            let texts = |list: &str, item: &str| -> Result<Vec<String>, CilError> {
                let mut v = Vec::new();
                for l in self.vamt_children(node, list) {
                    for e in self.vamt_children(l, item) {
                        let t = x.text_content(e).map_err(|d| err(None, item, d))?;
                        v.extend(nonempty(t));
                    }
                }
                Ok(v)
            };
            let product_nodes = self.product_nodes(node);
            let mut products = Vec::with_capacity(product_nodes.len());
            for (pi, p) in product_nodes.into_iter().enumerate() {
                let sku = match self.vamt_children(p, "Sku").first() {
                    None => None,
                    Some(&s) => {
                        // The tag's attributes are parsed once for all three.
                        let attrs = x.attributes(s).map_err(|d| err(Some(pi), "Sku", d))?;
                        let a = |n: &str| {
                            attrs
                                .iter()
                                .find(|(k, _)| k == n)
                                .and_then(|(_, v)| nonempty(v.clone()))
                        };
                        Some(Sku {
                            id: a("Id"),
                            name: a("Name"),
                            application_id: a("ApplicationId"),
                        })
                    }
                };
                // One pass over the product's children: the first canonical element of each
                // field is read; every occurrence is counted to report duplicates.
                let mut values: [Option<String>; 8] = Default::default();
                let mut read = [false; 8];
                let mut occurrences: Vec<(Field, Option<String>)> = Vec::new();
                for (e, field) in self.field_elements(p) {
                    let slot = field.rank() - 1;
                    if !read[slot] && x.name(e) == field.canonical() {
                        read[slot] = true;
                        let t = x
                            .text_content(e)
                            .map_err(|d| err(Some(pi), field.canonical(), d))?;
                        values[slot] = nonempty(t);
                        occurrences.push((field, values[slot].clone()));
                    } else {
                        occurrences.push((field, x.text_content(e).ok().and_then(nonempty)));
                    }
                }
                if x.text(x.node(p).head).contains('=') {
                    for (_, field, value) in self.field_attributes(p) {
                        occurrences.push((field, nonempty(value)));
                    }
                }
                let mut duplicates = Vec::new();
                for field in Field::ALL {
                    let vals: Vec<&Option<String>> = occurrences
                        .iter()
                        .filter(|(f, _)| *f == field)
                        .map(|(_, v)| v)
                        .collect();
                    if vals.len() > 1 {
                        let same = |v: &Option<String>| v.as_deref().map(digits_or_text);
                        let agree = vals.iter().all(|v| same(v) == same(vals[0]));
                        duplicates.push((field, agree));
                    }
                }
                products.push(Product {
                    sku,
                    values,
                    duplicates,
                    node: p,
                });
            }
            out.push(Computer {
                name: attr("Name"),
                os_version: attr("OSVersion"),
                os_edition: attr("OSEdition"),
                network_type: attr("NetworkType"),
                network_name: attr("NetworkName"),
                mac_addresses: texts("MacAddresses", "MacAddress")?,
                groups: texts("Groups", "Group")?,
                products,
                id,
            });
        }
        Ok(out)
    }
}

/// An ID's digits, or any other value as trimmed text: what two occurrences of a field
/// are compared by.
fn digits_or_text(v: &str) -> String {
    let d = digits_of(v);
    if d.len() >= 42 {
        d
    } else {
        v.trim().to_owned()
    }
}

/// The digits of an ID text (IIDs and CIDs are compared by digits, whatever the grouping).
pub(crate) fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests;
