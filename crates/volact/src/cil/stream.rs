//! The streaming merge: [`merge_bytes`] reads both files as quick-xml events without
//! building a model, decides with the same rules as [`super::merge`] (`merge::decide`), and
//! writes the full file's own bytes with each new or changed `PendingConfirmationId` spliced
//! in, so a 100,000-computer merge needs little more memory than its two inputs and about
//! the time of one event pass over them (issue 3's targets).
//!
//! Its output and report are the model path's, byte for byte: whenever a file holds
//! something the model would rewrite, read differently or refuse (UTF-16, fields given as
//! attributes or under alias names, duplicate fields, entities, CDATA or markup in a value
//! volact reads, namespace declarations on VAMT elements, malformed XML, anything over the
//! limits), the scan *declines* and that file goes through the model instead: the model's
//! answer, or its typed error, is then the answer. Declining is never an error.

use super::merge::{CilView, ComputerView, Prepared, ProductView, apply_decided, decide, prepare};
use super::xml::{self, bom, for_each_attribute};
use super::{CilDocument, CilError, Computer, Encoding, Field, Limits, MergeOptions, MergeReport};
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use std::ops::Range;

/// Which input of [`merge_bytes`] could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeInputError {
    /// The full file (the one the CIDs go into).
    #[error("full file: {0}")]
    Full(CilError),
    /// The returned file (the one the CIDs come from).
    #[error("returned file: {0}")]
    Returned(CilError),
}

impl MergeInputError {
    /// Whether the returned file (not the full one) is the one that could not be read.
    pub fn is_returned(&self) -> bool {
        matches!(self, MergeInputError::Returned(_))
    }

    /// What is wrong in that file.
    pub fn into_cil_error(self) -> CilError {
        match self {
            MergeInputError::Full(e) | MergeInputError::Returned(e) => e,
        }
    }
}

/// The merged full file and the report of a [`merge_bytes`].
pub struct MergedCil<'a> {
    output: Output<'a>,
    report: MergeReport,
}

enum Output<'a> {
    /// The full file's bytes (`bytes[..bom]` its byte-order mark) with these splices, in
    /// order, in the coordinates of the text after the mark.
    Spliced {
        bytes: &'a [u8],
        bom: usize,
        splices: Vec<Splice>,
    },
    /// The model path's document.
    Model(CilDocument),
}

/// Replace `range` of the full file's text by what `with` writes.
struct Splice {
    range: Range<usize>,
    with: With,
}

/// What a splice writes: the model's bytes for the same edit, made when written (one value
/// string per edit, moved from the decision, and no other allocation).
enum With {
    /// The new content of an existing `PendingConfirmationId`.
    Content(String),
    /// An empty-element `PendingConfirmationId` tag, opened around the value.
    Opened(String),
    /// A new element after this indentation (a range of the text).
    Element { indent: Range<usize>, value: String },
}

impl std::fmt::Debug for MergedCil<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergedCil")
            .field("streamed", &self.is_streamed())
            .field("decisions", &self.report.decisions.len())
            .finish()
    }
}

impl MergedCil<'_> {
    /// Every decision, as [`super::merge`] reports them.
    pub fn report(&self) -> &MergeReport {
        &self.report
    }

    /// The report, dropping the output.
    pub fn into_report(self) -> MergeReport {
        self.report
    }

    /// Whether the streaming path made the output (false: the model path did, because a
    /// file held something only the model handles exactly). The bytes are the same either
    /// way; this is for tests and benchmarks.
    pub fn is_streamed(&self) -> bool {
        matches!(self.output, Output::Spliced { .. })
    }

    /// Writes the merged full file, encoded as it was read, to a byte sink (no copy of the
    /// whole file is made).
    pub fn write_to<W: std::io::Write + ?Sized>(&self, sink: &mut W) -> std::io::Result<()> {
        match &self.output {
            Output::Model(doc) => doc.write_to(sink),
            Output::Spliced {
                bytes,
                bom,
                splices,
            } => {
                let (mark, text) = bytes.split_at(*bom);
                sink.write_all(mark)?;
                let name = Field::PendingConfirmationId.canonical().as_bytes();
                let mut at = 0;
                for splice in splices {
                    sink.write_all(text.get(at..splice.range.start).unwrap_or_default())?;
                    match &splice.with {
                        With::Content(value) => sink.write_all(value.as_bytes())?,
                        With::Opened(value) => {
                            let tag = text.get(splice.range.clone()).unwrap_or_default();
                            let (head, tail) = xml::opened(&String::from_utf8_lossy(tag));
                            for piece in [head.as_str(), value, &tail] {
                                sink.write_all(piece.as_bytes())?;
                            }
                        }
                        With::Element { indent, value } => {
                            sink.write_all(text.get(indent.clone()).unwrap_or_default())?;
                            for piece in
                                [&b"<"[..], name, b">", value.as_bytes(), b"</", name, b">"]
                            {
                                sink.write_all(piece)?;
                            }
                        }
                    }
                    at = splice.range.end;
                }
                sink.write_all(text.get(at..).unwrap_or_default())
            }
        }
    }

    /// The merged full file as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write_to(&mut out);
        out
    }
}

/// Merges the CIDs of a returned CIL into a full one given as bytes: the same output and
/// report as [`CilDocument::parse_with_limits`] of both, [`super::merge`] and
/// [`CilDocument::to_bytes`], made by streaming whenever that is exact (see the module
/// docs), on two threads when it can start one.
///
/// ```
/// use volact::cil::{self, CilDocument, Limits, MergeOptions};
/// let full = br#"<SoftwareLicensingData><Computers><Computer Id="{1}"><Products>
///   <Product>
///     <Sku Id="{s}"/>
///     <InstallationId>070846984606199354110900862045444713121295109842549701</InstallationId>
///   </Product></Products></Computer></Computers></SoftwareLicensingData>"#;
/// let returned = br#"<SoftwareLicensingData><Computers><Computer Id="{1}"><Products>
///   <Product><Sku Id="{s}"/>
///     <InstallationId>070846984606199354110900862045444713121295109842549701</InstallationId>
///     <PendingConfirmationId>013254-154732-336045-270141-281307-094314-283051-016734</PendingConfirmationId>
///   </Product></Products></Computer></Computers></SoftwareLicensingData>"#;
/// let merged = cil::merge_bytes(full, returned, MergeOptions::default(), Limits::default())?;
/// assert_eq!(merged.report().count("applied"), 1);
/// assert!(merged.is_streamed());
/// // The model path gives the same bytes.
/// let mut doc = CilDocument::parse(full)?;
/// cil::merge(&mut doc, &CilDocument::parse(returned)?, MergeOptions::default());
/// assert_eq!(merged.to_bytes(), doc.to_bytes());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn merge_bytes<'a>(
    full: &'a [u8],
    returned: &[u8],
    options: MergeOptions,
    limits: Limits,
) -> Result<MergedCil<'a>, MergeInputError> {
    // The returned file is scanned on a second thread while this one scans the full file
    // (two cores halve the scan); where threads are unavailable, one after the other.
    let (returned_side, full_side) = std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("volact-cil-returned".into())
            .spawn_scoped(s, || read_returned(returned, limits));
        let full_side = scan(full, Mode::Full, limits);
        let returned_side = match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => read_returned(returned, limits),
        };
        (returned_side, full_side)
    });
    // The returned file's error first: the CLI has always read that file first.
    let mut returned_side = returned_side.map_err(MergeInputError::Returned)?;
    let model_view;
    let (returned_view, prepared) = match returned_side {
        Returned::Scanned(ref view, ref mut prepared) => (view, prepared.take()),
        Returned::Model(ref computers) => {
            model_view = CilView::of_computers(computers);
            (&model_view, None)
        }
    };
    let prepared = prepared.unwrap_or_else(|| prepare(returned_view));
    let prepared = if let Ok(scanned) = full_side {
        let (report, set) = decide(&scanned.view, returned_view, prepared, options);
        if let Some(splices) = splices(&scanned, set) {
            return Ok(MergedCil {
                output: Output::Spliced {
                    bytes: full,
                    bom: scanned.bom,
                    splices,
                },
                report,
            });
        }
        // A splice the scan cannot make exactly: the model decides again.
        prepare(returned_view)
    } else {
        prepared
    };
    let mut doc = CilDocument::parse_with_limits(full, limits).map_err(MergeInputError::Full)?;
    let (report, set) = decide(
        &CilView::of_computers(doc.computers()),
        returned_view,
        prepared,
        options,
    );
    apply_decided(&mut doc, set);
    Ok(MergedCil {
        output: Output::Model(doc),
        report,
    })
}

/// The returned file as the merge reads it.
enum Returned<'r> {
    /// Streamed, with the returned-file half of the decisions already made on its thread.
    Scanned(CilView<'r>, Option<Prepared>),
    Model(Vec<Computer>),
}

fn read_returned(bytes: &[u8], limits: Limits) -> Result<Returned<'_>, CilError> {
    match scan(bytes, Mode::Returned, limits) {
        Ok(scanned) => {
            let prepared = prepare(&scanned.view);
            Ok(Returned::Scanned(scanned.view, Some(prepared)))
        }
        Err(Decline) => CilDocument::parse_with_limits(bytes, limits)
            .map(|doc| Returned::Model(doc.into_computers())),
    }
}

/// The splices that set each decided value, as the model's `set_field` would; `None` when
/// one cannot be made exactly (then the model path runs).
fn splices(scanned: &Scanned<'_>, set: Vec<Option<String>>) -> Option<Vec<Splice>> {
    let mut out: Vec<Splice> = Vec::new();
    for (layout, value) in scanned.layouts.iter().zip(set) {
        let Some(value) = value else { continue };
        // The model escapes what it sets; merge sets digits, which need none.
        let value = if value.contains(['&', '<', '>']) {
            xml::escape_text(&value)
        } else {
            value
        };
        let splice = match &layout.pending {
            Some(Pending::Content(range)) => Splice {
                range: range.clone(),
                with: With::Content(value),
            },
            Some(Pending::EmptyTag(range)) => Splice {
                range: range.clone(),
                with: With::Opened(value),
            },
            None => {
                let insert = layout.insert.as_ref()?;
                Splice {
                    range: insert.at..insert.at,
                    with: With::Element {
                        indent: insert.indent.clone(),
                        value,
                    },
                }
            }
        };
        if out
            .last()
            .is_some_and(|last| last.range.end > splice.range.start)
        {
            return None;
        }
        out.push(splice);
    }
    Some(out)
}

/// The scan cannot guarantee the model's result for this file.
#[derive(Debug)]
struct Decline;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The file the CIDs go into: its bytes are written back, so it must hold nothing the
    /// model would rewrite, and the places of each product's edits are recorded.
    Full,
    /// The file the CIDs come from: only its values matter.
    Returned,
}

/// Where a full-file product's `PendingConfirmationId` is, when it has one.
enum Pending {
    /// The content between `<PendingConfirmationId>` and its end tag.
    Content(Range<usize>),
    /// The whole `<PendingConfirmationId/>` tag.
    EmptyTag(Range<usize>),
}

/// Where the model's `insert_field` would put a new `PendingConfirmationId`: after the last
/// child that comes before it in canonical order (or first), preceded by that child's
/// indentation.
struct Insert {
    at: usize,
    indent: Range<usize>,
}

#[derive(Default)]
struct Layout {
    pending: Option<Pending>,
    /// `None` for `<Product/>` (never a merge target: it has no IID).
    insert: Option<Insert>,
}

struct Scanned<'a> {
    bom: usize,
    view: CilView<'a>,
    /// One per product of `view`, in `Mode::Full` only.
    layouts: Vec<Layout>,
}

/// What an open element is to the scan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Root,
    Computers,
    Computer,
    MacAddresses,
    MacAddress,
    Groups,
    Group,
    Products,
    Product,
    /// The first occurrence of a product field: a value the model reads.
    Field(Field),
    /// Anything else: read for well-formedness only.
    Other,
}

/// The previous sibling of a product's child, for the indentation of an insert.
#[derive(Clone)]
enum Prev {
    None,
    Blank(Range<usize>),
    Other,
}

/// The product being scanned.
struct ProductState<'a> {
    view: ProductView<'a>,
    seen: [bool; 8],
    sku_seen: bool,
    prev: Prev,
    /// End of the product's start tag; `None` for `<Product/>`.
    content_start: Option<usize>,
    /// The last child before `PendingConfirmationId` in canonical order: its end, and the
    /// indentation before it.
    anchor: Option<(usize, Range<usize>)>,
    /// The indentation of the open child, when that child is an anchor.
    open_anchor: Option<Range<usize>>,
    pending: Option<Pending>,
    pending_start: usize,
}

impl ProductState<'_> {
    fn new(content_start: Option<usize>) -> Self {
        ProductState {
            view: ProductView::default(),
            seen: [false; 8],
            sku_seen: false,
            prev: Prev::None,
            content_start,
            anchor: None,
            open_anchor: None,
            pending: None,
            pending_start: 0,
        }
    }

    fn indent(&self) -> Range<usize> {
        match &self.prev {
            Prev::Blank(range) => range.clone(),
            _ => 0..0,
        }
    }
}

/// The value a leaf (a field, `MacAddress`, `Group`) holds so far: no text yet, or one text
/// event.
enum Leaf<'a> {
    Empty,
    Text(&'a str),
}

/// `text` as a slice of `src` with `src`'s lifetime, when it lies inside it (attribute values
/// quick-xml did not need to change do).
fn within<'a>(src: &'a str, text: &str) -> Option<&'a str> {
    let offset = (text.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
    let inner = src.get(offset..offset.checked_add(text.len())?)?;
    (inner.as_ptr() == text.as_ptr()).then_some(inner)
}

/// The trimmed value, or `None` when empty (the model's `nonempty`).
fn nonempty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Whether a child of a VAMT element is in the VAMT vocabulary, as the model's `is_vamt`
/// decides it; a tag that could declare a namespace is left to the model.
fn is_vamt(e: &BytesStart<'_>) -> Result<bool, Decline> {
    if e.name().as_ref().contains(':') {
        return Ok(false);
    }
    if e.attributes_raw().contains("xmlns") {
        return Err(Decline);
    }
    Ok(true)
}

/// The values of the named attributes, borrowed from `src` (first occurrence each, trimmed,
/// `None` when empty), with the model's errors declined.
fn attributes<'a, const N: usize>(
    src: &'a str,
    e: &BytesStart<'_>,
    names: [&str; N],
) -> Result<[Option<&'a str>; N], Decline> {
    let mut out = [None; N];
    let mut found = [false; N];
    let mut declined = false;
    for_each_attribute(e, |key, value| {
        let Some(i) = names.iter().position(|&n| n == key) else {
            return;
        };
        if found[i] {
            return;
        }
        found[i] = true;
        match value {
            Cow::Borrowed(v) => match within(src, v) {
                Some(v) => out[i] = nonempty(v),
                None => declined = true,
            },
            // A value with references or whitespace to normalise: rare; the model reads it.
            Cow::Owned(_) => declined = true,
        }
    })
    .map_err(|_| Decline)?;
    if declined {
        return Err(Decline);
    }
    Ok(out)
}

/// Reads a CIL's computers and products as the merge needs them, and in `Mode::Full` where
/// each product's `PendingConfirmationId` is or would go.
fn scan(bytes: &[u8], mode: Mode, limits: Limits) -> Result<Scanned<'_>, Decline> {
    if bytes.len() > limits.max_bytes || bytes.len() > u32::MAX as usize / 2 {
        return Err(Decline);
    }
    // UTF-16 (by mark or by the pattern of a declaration) is the model's: it re-encodes.
    if matches!(
        bytes,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [b'<', 0, b'?', 0, ..] | [0, b'<', 0, b'?', ..]
    ) {
        return Err(Decline);
    }
    let mark = bom(Encoding::Utf8 { bom: true });
    let bom_len = if bytes.starts_with(mark) {
        mark.len()
    } else {
        0
    };
    let src = std::str::from_utf8(&bytes[bom_len..]).map_err(|_| Decline)?;
    if src.starts_with('\u{FEFF}') {
        return Err(Decline);
    }
    let mut reader = xml::reader(src);
    let mut view = CilView::default();
    let mut layouts: Vec<Layout> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut roots = 0usize;
    let mut computer = ComputerView::default();
    let mut product = ProductState::new(None);
    let mut leaf = Leaf::Empty;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|_| Decline)?;
        let end = reader.buffer_position() as usize;
        let parent = stack.last().copied();
        // Inside a value the model reads, only one piece of plain text is exact.
        if matches!(
            parent,
            Some(Frame::Field(_) | Frame::MacAddress | Frame::Group)
        ) {
            match (&event, &leaf) {
                (Event::Text(_), Leaf::Empty) => {
                    leaf = Leaf::Text(src.get(start..end).ok_or(Decline)?);
                    continue;
                }
                (Event::End(_), _) => {}
                _ => return Err(Decline),
            }
        }
        // A product's children other than elements: the previous sibling of the next child
        // (an element child sets it below, after reading it).
        if parent == Some(Frame::Product) {
            match &event {
                Event::Text(_) => {
                    let text = src.get(start..end).ok_or(Decline)?;
                    product.prev = if text.trim().is_empty() {
                        Prev::Blank(start..end)
                    } else {
                        Prev::Other
                    };
                }
                Event::Start(_) | Event::Empty(_) | Event::End(_) | Event::Eof => {}
                _ => product.prev = Prev::Other,
            }
        }
        match event {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty && stack.len() >= limits.max_depth {
                    return Err(Decline);
                }
                if stack.is_empty() {
                    roots += 1;
                    if e.name().as_ref() != "SoftwareLicensingData" || roots > 1 {
                        return Err(Decline);
                    }
                    if !empty {
                        stack.push(Frame::Root);
                    }
                    continue;
                }
                let name = e.name();
                let name = name.as_ref();
                let frame = match parent {
                    Some(Frame::Root) if is_vamt(e)? && name == "Computers" => Frame::Computers,
                    Some(Frame::Computers) if is_vamt(e)? && name == "Computer" => {
                        let [id, name, network_name] =
                            attributes(src, e, ["Id", "Name", "NetworkName"])?;
                        computer = ComputerView {
                            id,
                            name,
                            network_name,
                            macs: view.macs.len()..view.macs.len(),
                            products: view.products.len()..view.products.len(),
                        };
                        Frame::Computer
                    }
                    Some(Frame::Computer) if is_vamt(e)? => match name {
                        "MacAddresses" => Frame::MacAddresses,
                        "Groups" => Frame::Groups,
                        "Products" => Frame::Products,
                        _ => Frame::Other,
                    },
                    Some(Frame::MacAddresses) if is_vamt(e)? && name == "MacAddress" => {
                        Frame::MacAddress
                    }
                    Some(Frame::Groups) if is_vamt(e)? && name == "Group" => Frame::Group,
                    Some(Frame::Products) if is_vamt(e)? && name == "Product" => {
                        // A field given as an attribute moves into an element in the model.
                        if e.attributes_raw().contains('=') {
                            let mut field_attribute = false;
                            for_each_attribute(e, |key, _| {
                                field_attribute |=
                                    !key.contains(':') && Field::from_name(key).is_some();
                            })
                            .map_err(|_| Decline)?;
                            if field_attribute {
                                return Err(Decline);
                            }
                        }
                        product = ProductState::new((!empty).then_some(end));
                        Frame::Product
                    }
                    Some(Frame::Product) if is_vamt(e)? => {
                        let (frame, anchor) = if name == "Sku" {
                            if !product.sku_seen {
                                product.sku_seen = true;
                                let [id] = attributes(src, e, ["Id"])?;
                                product.view.sku_id = id;
                            }
                            (Frame::Other, true)
                        } else if let Some(field) = Field::from_name(name) {
                            let slot = field.rank() - 1;
                            let first = !product.seen[slot];
                            // In the full file the model would rename an alias and keep a
                            // duplicate: its bytes are the model's to write.
                            if mode == Mode::Full && (!first || name != field.canonical()) {
                                return Err(Decline);
                            }
                            product.seen[slot] = true;
                            let frame = if first {
                                Frame::Field(field)
                            } else {
                                Frame::Other
                            };
                            if mode == Mode::Full && field == Field::PendingConfirmationId {
                                if empty {
                                    product.pending = Some(Pending::EmptyTag(start..end));
                                } else {
                                    product.pending_start = end;
                                }
                            }
                            (frame, field.rank() < Field::PendingConfirmationId.rank())
                        } else {
                            (Frame::Other, false)
                        };
                        if anchor {
                            let indent = product.indent();
                            if empty {
                                product.anchor = Some((end, indent));
                            } else {
                                product.open_anchor = Some(indent);
                            }
                        }
                        frame
                    }
                    _ => Frame::Other,
                };
                if parent == Some(Frame::Product) {
                    product.prev = Prev::Other;
                }
                leaf = Leaf::Empty;
                if empty {
                    close(
                        frame,
                        mode,
                        &mut view,
                        &mut layouts,
                        &mut computer,
                        &mut product,
                        &mut leaf,
                    );
                } else {
                    stack.push(frame);
                }
            }
            Event::End(_) => {
                let frame = stack.pop().ok_or(Decline)?;
                if frame == Frame::Field(Field::PendingConfirmationId) && mode == Mode::Full {
                    product.pending = Some(Pending::Content(product.pending_start..start));
                }
                close(
                    frame,
                    mode,
                    &mut view,
                    &mut layouts,
                    &mut computer,
                    &mut product,
                    &mut leaf,
                );
                if stack.last() == Some(&Frame::Product)
                    && let Some(indent) = product.open_anchor.take()
                {
                    product.anchor = Some((end, indent));
                }
            }
            _ => {}
        }
    }
    if roots != 1 || !stack.is_empty() {
        return Err(Decline);
    }
    Ok(Scanned {
        bom: bom_len,
        view,
        layouts,
    })
}

/// Records what an element held when it closes.
fn close<'a>(
    frame: Frame,
    mode: Mode,
    view: &mut CilView<'a>,
    layouts: &mut Vec<Layout>,
    computer: &mut ComputerView<'a>,
    product: &mut ProductState<'a>,
    leaf: &mut Leaf<'a>,
) {
    let value = match std::mem::replace(leaf, Leaf::Empty) {
        Leaf::Empty => None,
        Leaf::Text(t) => nonempty(t),
    };
    match frame {
        Frame::Field(field) => {
            let slot = match field {
                Field::InstallationId => &mut product.view.installation_id,
                Field::PendingConfirmationId => &mut product.view.pending,
                Field::ConfirmationId => &mut product.view.deposited,
                _ => return,
            };
            *slot = value;
        }
        Frame::MacAddress => view.macs.extend(value),
        Frame::Product => {
            view.products.push(product.view);
            if mode == Mode::Full {
                layouts.push(Layout {
                    pending: product.pending.take(),
                    insert: product
                        .content_start
                        .map(|content| match product.anchor.take() {
                            Some((at, indent)) => Insert { at, indent },
                            None => Insert {
                                at: content,
                                indent: 0..0,
                            },
                        }),
                });
            }
        }
        Frame::Computer => {
            computer.macs.end = view.macs.len();
            computer.products.end = view.products.len();
            view.computers.push(std::mem::take(computer));
        }
        _ => {}
    }
}
