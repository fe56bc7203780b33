//! A lossless XML document: every byte of the input is kept as a span of one node, and
//! saving writes the spans back, so whatever volact does not understand (unknown elements
//! and attributes, namespaces and prefixes, comments, processing instructions, CDATA,
//! character references, whitespace) comes out exactly as it went in. Edits replace or add
//! nodes whose text volact owns; everything else is never re-serialised.
//!
//! Nodes live in one arena with spans into one UTF-8 copy of the input, which keeps a
//! 100,000-computer file's model within a small multiple of its size.
//!
//! DTDs are kept as text and never processed: entity declarations are not read, external
//! entities are never resolved, and a reference to a declared entity in a field volact reads
//! is an error, not an expansion.

use super::CilError;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// Node index in the arena.
pub(crate) type Id = u32;
/// "No node".
pub(crate) const NIL: Id = u32::MAX;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The document itself (node 0); its children are the top-level nodes.
    Document,
    Element,
    Text,
    CData,
    Comment,
    Pi,
    Decl,
    DocType,
    /// `&name;` or `&#n;` in text.
    Ref,
}

/// Where a node's text lives: a span of the source, or an owned string in the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Src { start: u32, len: u32 },
    Own(u32),
}

const EMPTY: Piece = Piece::Src { start: 0, len: 0 };

/// One node. For an element, `head` is the start tag (or the whole empty-element tag) and
/// `tail` the end tag (empty for `<x/>`); for the others `head` is the whole token.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    /// For elements: whether the start tag mentions `xmlns` (only then can it declare a
    /// default namespace). Cached because every model lookup asks.
    xmlns: bool,
    /// For elements: the length of the name in the start tag, or `u16::MAX` when longer
    /// (then it is found by scanning). Cached: names are compared on every lookup.
    name_len: u16,
    pub(crate) head: Piece,
    pub(crate) tail: Piece,
    pub(crate) first_child: Id,
    pub(crate) next: Id,
}

/// The cached name length and `xmlns` flag of a start tag.
fn tag_facts(tag: &str) -> (u16, bool) {
    let len = element_name(tag).len();
    (
        u16::try_from(len).unwrap_or(u16::MAX),
        tag.contains("xmlns"),
    )
}

/// The byte encoding of a file, kept so a document is saved as it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8 {
        /// Whether the file started with EF BB BF.
        bom: bool,
    },
    /// UTF-16 little-endian.
    Utf16Le {
        /// Whether the file started with FF FE.
        bom: bool,
    },
    /// UTF-16 big-endian.
    Utf16Be {
        /// Whether the file started with FE FF.
        bom: bool,
    },
}

impl Encoding {
    /// A short name: `UTF-8`, `UTF-16LE`, `UTF-16BE`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 { .. } => "UTF-8",
            Encoding::Utf16Le { .. } => "UTF-16LE",
            Encoding::Utf16Be { .. } => "UTF-16BE",
        }
    }
}

/// Limits that turn hostile input into typed errors instead of exhausted memory or stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes (spans are 32-bit, so at most 4 GiB − 1).
    pub max_bytes: usize,
    /// Deepest element nesting accepted.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 2 << 30,
            max_depth: 256,
        }
    }
}

/// The arena document.
#[derive(Clone)]
pub(crate) struct XmlDoc {
    pub(crate) src: String,
    pub(crate) pool: Vec<String>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) encoding: Encoding,
}

/// Decodes bytes to text by byte-order mark, or by the `<?` pattern of a BOM-less UTF-16
/// declaration; everything else must be UTF-8 (taken without a copy).
pub(crate) fn decode(mut bytes: Vec<u8>) -> Result<(String, Encoding), CilError> {
    let encoding = match bytes.as_slice() {
        [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8 { bom: true },
        [0xFF, 0xFE, ..] => Encoding::Utf16Le { bom: true },
        [0xFE, 0xFF, ..] => Encoding::Utf16Be { bom: true },
        [b'<', 0, b'?', 0, ..] => Encoding::Utf16Le { bom: false },
        [0, b'<', 0, b'?', ..] => Encoding::Utf16Be { bom: false },
        _ => Encoding::Utf8 { bom: false },
    };
    let skip = bom(encoding).len();
    let text = match encoding {
        Encoding::Utf8 { .. } => {
            bytes.drain(..skip);
            utf8(bytes, skip)?
        }
        Encoding::Utf16Le { .. } | Encoding::Utf16Be { .. } => {
            let body = &bytes[skip..];
            if body.len() % 2 == 1 {
                return Err(CilError::Encoding {
                    offset: bytes.len(),
                    detail: "UTF-16 text with an odd number of bytes".into(),
                });
            }
            let le = matches!(encoding, Encoding::Utf16Le { .. });
            let units = body.chunks_exact(2).map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .enumerate()
                .map(|(i, c)| {
                    c.map_err(|_| CilError::Encoding {
                        offset: skip + i * 2,
                        detail: "unpaired UTF-16 surrogate".into(),
                    })
                })
                .collect::<Result<String, _>>()?
        }
    };
    // quick-xml skips a byte-order mark at the start of its input and counts positions
    // after it, so a second mark would shift every span: refuse it.
    if text.starts_with('\u{FEFF}') {
        return Err(CilError::Encoding {
            offset: 0,
            detail: "a second byte-order mark at the start of the text".into(),
        });
    }
    Ok((text, encoding))
}

/// UTF-8 text without copying the bytes (a 100,000-computer file is over 100 MB).
fn utf8(bytes: Vec<u8>, offset: usize) -> Result<String, CilError> {
    String::from_utf8(bytes).map_err(|e| CilError::Encoding {
        offset: offset + e.utf8_error().valid_up_to(),
        detail: "invalid UTF-8 (volact reads UTF-8 and UTF-16 files)".into(),
    })
}

/// Encodes text in an encoding, with its byte-order mark when it had one.
pub(crate) fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2 + 3);
    out.extend_from_slice(bom(encoding));
    encode_units(text, encoding, &mut out);
    out
}

/// 1-based line and column of a byte offset, for error messages.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl XmlDoc {
    /// Parses a document, keeping every byte.
    pub(crate) fn parse(bytes: Vec<u8>, limits: Limits) -> Result<Self, CilError> {
        if bytes.len() > limits.max_bytes || bytes.len() > u32::MAX as usize / 2 {
            return Err(CilError::TooLarge {
                size: bytes.len(),
                limit: limits.max_bytes.min(u32::MAX as usize / 2),
            });
        }
        let (src, encoding) = decode(bytes)?;
        // About two nodes per tag (the tag and the text after it): reserving once avoids the
        // doubling growth that would otherwise leave up to half of a large arena unused.
        let tags = src.bytes().filter(|&b| b == b'<').count();
        let mut nodes = Vec::with_capacity(2 * tags + 2);
        nodes.push(Node {
            kind: Kind::Document,
            xmlns: false,
            name_len: 0,
            head: EMPTY,
            tail: EMPTY,
            first_child: NIL,
            next: NIL,
        });
        let mut doc = XmlDoc {
            src: String::new(),
            pool: Vec::new(),
            nodes,
            encoding,
        };
        doc.build(&src, limits)?;
        doc.src = src;
        Ok(doc)
    }

    fn build(&mut self, src: &str, limits: Limits) -> Result<(), CilError> {
        let mut reader = reader(src);
        // (parent, last child) for every open element; the document is the first parent.
        let mut open: Vec<(Id, Id)> = vec![(0, NIL)];
        let mut root_elements = 0usize;
        loop {
            let start = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                let at = reader.error_position() as usize;
                let (line, column) = line_col(src, at);
                CilError::Xml {
                    line,
                    column,
                    detail: e.to_string(),
                }
            })?;
            let end = reader.buffer_position() as usize;
            let piece = Piece::Src {
                start: start as u32,
                len: (end - start) as u32,
            };
            let kind = match &event {
                Event::Eof => break,
                Event::Start(_) | Event::Empty(_) => Kind::Element,
                Event::End(_) => {
                    let (id, _) = open.pop().unwrap_or((0, NIL));
                    self.nodes[id as usize].tail = piece;
                    continue;
                }
                Event::Text(_) => Kind::Text,
                Event::CData(_) => Kind::CData,
                Event::Comment(_) => Kind::Comment,
                Event::PI(_) => Kind::Pi,
                Event::Decl(_) => Kind::Decl,
                Event::DocType(_) => Kind::DocType,
                Event::GeneralRef(_) => Kind::Ref,
            };
            let id = self.nodes.len() as Id;
            let (name_len, xmlns) = match &event {
                Event::Start(e) | Event::Empty(e) => (
                    u16::try_from(e.name().as_ref().len()).unwrap_or(u16::MAX),
                    e.attributes_raw().contains("xmlns"),
                ),
                _ => (0, false),
            };
            self.nodes.push(Node {
                kind,
                xmlns,
                name_len,
                head: piece,
                tail: EMPTY,
                first_child: NIL,
                next: NIL,
            });
            let top = open.len() - 1;
            let (parent, last) = open[top];
            if last == NIL {
                self.nodes[parent as usize].first_child = id;
            } else {
                self.nodes[last as usize].next = id;
            }
            open[top].1 = id;
            if kind == Kind::Element && open.len() == 1 {
                root_elements += 1;
            }
            if matches!(event, Event::Start(_)) {
                if open.len() > limits.max_depth {
                    let (line, column) = line_col(src, start);
                    return Err(CilError::TooDeep {
                        line,
                        column,
                        limit: limits.max_depth,
                    });
                }
                open.push((id, NIL));
            }
        }
        if open.len() > 1 {
            let (id, _) = open[open.len() - 1];
            let name = element_name(self.text_of(src, self.nodes[id as usize].head)).to_owned();
            let (line, column) = line_col(src, src.len());
            return Err(CilError::Xml {
                line,
                column,
                detail: format!("the document ends inside <{name}>"),
            });
        }
        if root_elements != 1 {
            return Err(CilError::Xml {
                line: 1,
                column: 1,
                detail: format!("expected one root element, found {root_elements}"),
            });
        }
        Ok(())
    }

    fn text_of<'a>(&'a self, src: &'a str, piece: Piece) -> &'a str {
        match piece {
            Piece::Src { start, len } => &src[start as usize..(start + len) as usize],
            Piece::Own(i) => &self.pool[i as usize],
        }
    }

    /// The text of a piece.
    pub(crate) fn text(&self, piece: Piece) -> &str {
        self.text_of(&self.src, piece)
    }

    pub(crate) fn node(&self, id: Id) -> &Node {
        &self.nodes[id as usize]
    }

    /// The children of a node, in order.
    pub(crate) fn children(&self, id: Id) -> Children<'_> {
        Children {
            doc: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// The element children of a node with this local name (case-sensitive).
    #[cfg(test)]
    pub(crate) fn child_elements<'a>(
        &'a self,
        id: Id,
        local: &'a str,
    ) -> impl Iterator<Item = Id> + 'a {
        self.children(id).filter(move |&c| {
            self.is_element(c) && {
                let n = self.name(c);
                n.rsplit_once(':').map_or(n, |(_, l)| l) == local
            }
        })
    }

    pub(crate) fn is_element(&self, id: Id) -> bool {
        self.nodes[id as usize].kind == Kind::Element
    }

    /// The qualified name of an element (`x:Foo`).
    pub(crate) fn name(&self, id: Id) -> &str {
        let node = &self.nodes[id as usize];
        let tag = self.text(node.head);
        match node.name_len {
            u16::MAX => element_name(tag),
            n => tag
                .get(1..1 + usize::from(n))
                .unwrap_or_else(|| element_name(tag)),
        }
    }

    /// The root element.
    pub(crate) fn root(&self) -> Id {
        self.children(0)
            .find(|&c| self.is_element(c))
            .unwrap_or(NIL)
    }

    /// The attributes of an element as (qualified name, unescaped value), in order.
    pub(crate) fn attributes(&self, id: Id) -> Result<Vec<(String, String)>, String> {
        let tag = self.text(self.nodes[id as usize].head);
        let content = tag_content(tag);
        let name_len = element_name(tag).len();
        let start = BytesStart::from_content(content, name_len);
        let mut out = Vec::new();
        for_each_attribute(&start, |key, value| {
            out.push((key.to_owned(), value.into_owned()));
        })?;
        Ok(out)
    }

    /// An attribute's unescaped value by its exact qualified name (`Id` is not `x:Id`).
    pub(crate) fn attribute(&self, id: Id, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .attributes(id)?
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v))
    }

    /// The element's own default-namespace declaration (`xmlns="…"`), if it has one.
    pub(crate) fn own_default_namespace(&self, id: Id) -> Option<String> {
        // Most elements declare nothing: skip the attribute parse unless the tag could.
        if !self.nodes[id as usize].xmlns {
            return None;
        }
        self.attribute(id, "xmlns").ok().flatten()
    }

    /// The text content of an element: its text, CDATA and character references, unescaped.
    /// Elements, comments and PIs inside are skipped. A reference to any entity other than
    /// the five predefined ones is an error: DTD entities are never expanded.
    pub(crate) fn text_content(&self, id: Id) -> Result<String, String> {
        let mut out = String::new();
        for c in self.children(id) {
            let node = self.node(c);
            let raw = self.text(node.head);
            match node.kind {
                Kind::Text => out.push_str(&unescape(raw)?),
                Kind::CData => out.push_str(
                    raw.strip_prefix("<![CDATA[")
                        .and_then(|r| r.strip_suffix("]]>"))
                        .unwrap_or(raw),
                ),
                Kind::Ref => out.push_str(&unescape(raw)?),
                _ => {}
            }
        }
        Ok(out)
    }

    /// Adds an owned string to the pool.
    pub(crate) fn own(&mut self, text: String) -> Piece {
        self.pool.push(text);
        Piece::Own((self.pool.len() - 1) as u32)
    }

    /// Replaces a node's start tag, keeping the cached tag facts in step.
    fn set_head(&mut self, id: Id, head: String) {
        let (name_len, xmlns) = tag_facts(&head);
        let piece = self.own(head);
        let node = &mut self.nodes[id as usize];
        node.head = piece;
        node.name_len = name_len;
        node.xmlns = xmlns;
    }

    /// Adds a node holding owned text (not yet linked anywhere).
    pub(crate) fn new_node(&mut self, kind: Kind, head: String, tail: Option<String>) -> Id {
        let (name_len, xmlns) = tag_facts(&head);
        let head = self.own(head);
        let tail = match tail {
            Some(t) => self.own(t),
            None => EMPTY,
        };
        self.nodes.push(Node {
            kind,
            xmlns,
            name_len,
            head,
            tail,
            first_child: NIL,
            next: NIL,
        });
        (self.nodes.len() - 1) as Id
    }

    /// Links `child` after `after` (or first, when `after` is NIL) under `parent`.
    pub(crate) fn insert_after(&mut self, parent: Id, after: Id, child: Id) {
        if after == NIL {
            self.nodes[child as usize].next = self.nodes[parent as usize].first_child;
            self.nodes[parent as usize].first_child = child;
        } else {
            self.nodes[child as usize].next = self.nodes[after as usize].next;
            self.nodes[after as usize].next = child;
        }
    }

    /// The sibling before `child` under `parent`, or NIL.
    pub(crate) fn previous_sibling(&self, parent: Id, child: Id) -> Id {
        let mut prev = NIL;
        for c in self.children(parent) {
            if c == child {
                return prev;
            }
            prev = c;
        }
        NIL
    }

    /// Replaces an element's content with one text node (escaped), making `<x/>` into
    /// `<x>…</x>` when needed.
    pub(crate) fn set_text_content(&mut self, id: Id, value: &str) {
        self.ensure_open(id);
        let text = self.new_node(Kind::Text, escape_text(value), None);
        self.nodes[id as usize].first_child = text;
    }

    /// Makes an empty-element tag into a start tag with a matching end tag.
    pub(crate) fn ensure_open(&mut self, id: Id) {
        let node = self.nodes[id as usize];
        if node.tail != EMPTY {
            return;
        }
        let (open, close) = opened(self.text(node.head));
        self.set_head(id, open);
        self.nodes[id as usize].tail = self.own(close);
    }

    /// Renames an element: only the name in its start and end tags changes, every byte of
    /// its attributes stays as written.
    pub(crate) fn rename_element(&mut self, id: Id, new_name: &str) {
        let node = self.nodes[id as usize];
        let tag = self.text(node.head);
        let name = element_name(tag);
        let head = format!("<{new_name}{}", &tag[1 + name.len()..]);
        self.set_head(id, head);
        if node.tail != EMPTY {
            self.nodes[id as usize].tail = self.own(format!("</{new_name}>"));
        }
    }

    /// Removes the attributes at the given indices from an element's start tag, with the
    /// whitespace before each; the rest of the tag keeps its exact text. Returns false (and
    /// changes nothing) when the tag's attributes cannot be located exactly.
    pub(crate) fn drop_attributes(&mut self, id: Id, drop: &[usize]) -> bool {
        let tag = self.text(self.nodes[id as usize].head).to_owned();
        let content = tag_content(&tag);
        let name_len = element_name(&tag).len();
        let start = BytesStart::from_content(content, name_len);
        let base = content.as_ptr() as usize;
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        for (i, attr) in start.attributes().enumerate() {
            let Ok(attr) = attr else { return false };
            if !drop.contains(&i) {
                continue;
            }
            let Cow::Borrowed(value) = attr.value else {
                return false;
            };
            // Spans from the borrowed slices: the key's start to the closing quote.
            let from = attr.key.as_ref().as_ptr() as usize - base;
            let to = value.as_ptr() as usize - base + value.len() + 1;
            let ws = content[..from].trim_end().len();
            if to > content.len() {
                return false;
            }
            cuts.push((ws, to));
        }
        let mut out = String::with_capacity(tag.len());
        out.push('<');
        let mut at = 0;
        for (from, to) in cuts {
            out.push_str(&content[at..from]);
            // Keep the name and whatever follows apart when the cut attribute was what
            // separated them (`<a x="1"y="2">`, `<a x="1"/b="2">`, which quick-xml accepts):
            // otherwise the element's name would change (both found by fuzzing).
            if content[to..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace())
            {
                out.push(' ');
            }
            at = to;
        }
        out.push_str(&content[at..]);
        out.push_str(&tag[1 + content.len()..]);
        self.set_head(id, out);
        true
    }

    /// Visits the document's text in order, piece by piece (every piece ends on a character
    /// boundary), so it can be written out without first being joined in memory.
    pub(crate) fn for_each_piece<E>(
        &self,
        mut f: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        // Iterative depth-first walk: element nesting is bounded by the limits, but a
        // stack of our own never depends on the thread's stack size.
        let mut stack: Vec<(Id, bool)> = Vec::new();
        let mut c = self.nodes[0].first_child;
        while c != NIL {
            stack.push((c, false));
            c = self.nodes[c as usize].next;
        }
        stack.reverse();
        while let Some((id, closing)) = stack.pop() {
            let node = &self.nodes[id as usize];
            if closing {
                f(self.text(node.tail))?;
                continue;
            }
            f(self.text(node.head))?;
            if node.kind == Kind::Element {
                stack.push((id, true));
                let start = stack.len();
                let mut c = node.first_child;
                while c != NIL {
                    stack.push((c, false));
                    c = self.nodes[c as usize].next;
                }
                stack[start..].reverse();
            }
        }
        Ok(())
    }

    /// Writes the document as text.
    #[cfg(test)]
    pub(crate) fn write(&self, out: &mut String) {
        let _ = self.for_each_piece(|p| {
            out.push_str(p);
            Ok::<(), ()>(())
        });
    }

    /// Writes the document, encoded as it came, to a byte sink.
    pub(crate) fn write_to<W: std::io::Write + ?Sized>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(bom(self.encoding))?;
        let mut buf = Vec::new();
        self.for_each_piece(|piece| match self.encoding {
            Encoding::Utf8 { .. } => w.write_all(piece.as_bytes()),
            _ => {
                buf.clear();
                encode_units(piece, self.encoding, &mut buf);
                w.write_all(&buf)
            }
        })
    }

    /// The whole document, encoded as it came.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.src.len() + 1024);
        // Writing into a Vec cannot fail.
        let _ = self.write_to(&mut out);
        out
    }
}

/// The start and end tags an empty-element tag becomes when it gets content (`<a x="1"/>`
/// → `<a x="1">`, `</a>`). One function for the model and the streaming merge, so both
/// write the same bytes.
pub(crate) fn opened(tag: &str) -> (String, String) {
    (
        format!(
            "{}>",
            tag.trim_end_matches('>').trim_end_matches('/').trim_end()
        ),
        format!("</{}>", element_name(tag)),
    )
}

/// The reader every CIL is parsed with. One configuration for the model and the streaming
/// merge: both must see the same events, or their outputs could differ.
pub(crate) fn reader(src: &str) -> quick_xml::Reader<&[u8]> {
    let mut reader = quick_xml::Reader::from_str(src);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    config.check_comments = true;
    reader
}

/// Visits a start tag's attributes as (qualified name, value) in order, each value
/// normalised as XML 1.0 says (references resolved, whitespace to spaces). The model's
/// [`XmlDoc::attributes`] and the streaming merge share it, so both read the same values and
/// fail on the same tags.
pub(crate) fn for_each_attribute<'t>(
    start: &'t BytesStart<'_>,
    mut f: impl FnMut(&str, Cow<'t, str>),
) -> Result<(), String> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        f(attr.key.as_ref(), value);
    }
    Ok(())
}

/// The byte-order mark a document starts with, if it had one.
pub(crate) fn bom(encoding: Encoding) -> &'static [u8] {
    match encoding {
        Encoding::Utf8 { bom: true } => &[0xEF, 0xBB, 0xBF],
        Encoding::Utf16Le { bom: true } => &[0xFF, 0xFE],
        Encoding::Utf16Be { bom: true } => &[0xFE, 0xFF],
        _ => &[],
    }
}

/// Appends text in the encoding, without a byte-order mark.
fn encode_units(text: &str, encoding: Encoding, out: &mut Vec<u8>) {
    match encoding {
        Encoding::Utf8 { .. } => out.extend_from_slice(text.as_bytes()),
        Encoding::Utf16Le { .. } => text
            .encode_utf16()
            .for_each(|u| out.extend_from_slice(&u.to_le_bytes())),
        Encoding::Utf16Be { .. } => text
            .encode_utf16()
            .for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
    }
}

/// Iterator over a node's children.
pub(crate) struct Children<'a> {
    doc: &'a XmlDoc,
    next: Id,
}

impl Iterator for Children<'_> {
    type Item = Id;
    fn next(&mut self) -> Option<Id> {
        (self.next != NIL).then(|| {
            let id = self.next;
            self.next = self.doc.nodes[id as usize].next;
            id
        })
    }
}

/// The element name in a start or empty tag.
///
/// Exactly quick-xml's rule, so volact and the parser agree on every name: the tag's content
/// (without `<`, `</`, `>` and the `/` of an empty-element tag) up to the first XML
/// whitespace. `<a/b x="1">` is an element named `a/b`, not `a` (found by fuzzing).
pub(crate) fn element_name(tag: &str) -> &str {
    let inner = tag
        .strip_prefix("</")
        .or_else(|| tag.strip_prefix('<'))
        .unwrap_or(tag);
    let inner = inner.strip_suffix('>').unwrap_or(inner);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let end = inner.find([' ', '\t', '\r', '\n']).unwrap_or(inner.len());
    &inner[..end]
}

/// The content of a tag between `<` and `>` / `/>`.
fn tag_content(tag: &str) -> &str {
    let inner = tag.strip_prefix('<').unwrap_or(tag);
    let inner = inner.strip_suffix('>').unwrap_or(inner);
    inner.strip_suffix('/').unwrap_or(inner)
}

/// Unescapes text with the five predefined entities and character references only.
fn unescape(raw: &str) -> Result<Cow<'_, str>, String> {
    quick_xml::escape::unescape(raw).map_err(|e| format!("{e} (DTD entities are never expanded)"))
}

/// Escapes text content (`&`, `<`, `>`).
pub(crate) fn escape_text(value: &str) -> String {
    quick_xml::escape::minimal_escape(value).replace('>', "&gt;")
}

/// Escapes an attribute value for double quotes.
pub(crate) fn escape_attr(value: &str) -> String {
    quick_xml::escape::escape(value).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let doc = XmlDoc::parse(text.as_bytes().to_vec(), Limits::default()).unwrap();
        let mut out = String::new();
        doc.write(&mut out);
        out
    }

    #[test]
    fn every_byte_survives() {
        let text = "<?xml version=\"1.0\"?>\n<!-- c --><?pi x?>\n<a x='1' y = \"&amp;2\" xmlns:q=\"urn:q\">\n  <q:b>t &#233; &amp; <![CDATA[<raw>]]></q:b><c/>\n</a>\n<!-- tail -->";
        assert_eq!(round_trip(text), text);
    }

    #[test]
    fn text_content_and_attributes_are_unescaped() {
        let doc = XmlDoc::parse(
            "<a k=\"x&amp;y\"><b>1 &lt; 2 &#233;<![CDATA[&z]]></b></a>"
                .as_bytes()
                .to_vec(),
            Limits::default(),
        )
        .unwrap();
        let a = doc.root();
        assert_eq!(doc.attribute(a, "k").unwrap().as_deref(), Some("x&y"));
        let b = doc.child_elements(a, "b").next().unwrap();
        assert_eq!(doc.text_content(b).unwrap(), "1 < 2 é&z");
    }

    #[test]
    fn dtd_entities_are_never_expanded() {
        let text = "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a><b>&e;</b></a>";
        let doc = XmlDoc::parse(text.as_bytes().to_vec(), Limits::default()).unwrap();
        let b = doc.child_elements(doc.root(), "b").next().unwrap();
        assert!(doc.text_content(b).is_err());
        assert_eq!(round_trip(text), text);
    }

    #[test]
    fn limits_and_malformed_input_give_typed_errors() {
        let deep = "<a>".repeat(300) + &"</a>".repeat(300);
        assert!(matches!(
            XmlDoc::parse(deep.into_bytes(), Limits::default()),
            Err(CilError::TooDeep { limit: 256, .. })
        ));
        assert!(matches!(
            XmlDoc::parse(b"<a><b></a>".to_vec(), Limits::default()),
            Err(CilError::Xml { .. })
        ));
        assert!(matches!(
            XmlDoc::parse(b"<a><b>".to_vec(), Limits::default()),
            Err(CilError::Xml { .. })
        ));
        assert!(matches!(
            XmlDoc::parse(b"<a/><b/>".to_vec(), Limits::default()),
            Err(CilError::Xml { .. })
        ));
        let small = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            XmlDoc::parse(b"<a></a>".to_vec(), small),
            Err(CilError::TooLarge { .. })
        ));
    }

    #[test]
    fn utf16_and_bom_are_detected_and_kept() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>Ünï 会議室</a>";
        for encoding in [
            Encoding::Utf8 { bom: true },
            Encoding::Utf16Le { bom: true },
            Encoding::Utf16Be { bom: true },
            Encoding::Utf16Le { bom: false },
        ] {
            let bytes = encode(text, encoding);
            let doc = XmlDoc::parse(bytes.clone(), Limits::default()).unwrap();
            assert_eq!(doc.encoding, encoding);
            assert_eq!(doc.to_bytes(), bytes);
        }
        assert!(matches!(
            XmlDoc::parse(
                vec![b'<', b'a', b'>', 0xFF, b'<', b'/', b'a', b'>'],
                Limits::default()
            ),
            Err(CilError::Encoding { offset: 3, .. })
        ));
    }

    #[test]
    fn a_second_byte_order_mark_is_refused() {
        // Found by fuzzing: quick-xml skips a leading U+FEFF and counts positions after it.
        let mut bytes = vec![0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(b"<a/>");
        assert!(matches!(
            XmlDoc::parse(bytes.clone(), Limits::default()),
            Err(CilError::Encoding { offset: 0, .. })
        ));
    }

    #[test]
    fn edits_touch_only_what_they_change() {
        let mut doc = XmlDoc::parse(
            "<a>\n  <b q='1' r=\"2\" s = '3'/>\n  <c>old</c>\n</a>"
                .as_bytes()
                .to_vec(),
            Limits::default(),
        )
        .unwrap();
        let a = doc.root();
        let b = doc.child_elements(a, "b").next().unwrap();
        let c = doc.child_elements(a, "c").next().unwrap();
        assert!(doc.drop_attributes(b, &[1]));
        doc.set_text_content(c, "new & <x>");
        let d = doc.new_node(Kind::Element, "<d>".into(), Some("</d>".into()));
        doc.insert_after(a, c, d);
        let mut out = String::new();
        doc.write(&mut out);
        assert_eq!(
            out,
            "<a>\n  <b q='1' s = '3'/>\n  <c>new &amp; &lt;x&gt;</c><d></d>\n</a>"
        );
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\ncdé\nf", 7), (2, 4));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
