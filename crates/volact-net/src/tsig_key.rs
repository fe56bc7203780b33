//! TSIG keys (RFC 8945) from a BIND key file, as `tsig-keygen` writes it:
//!
//! ```text
//! key "kms-update" {
//!         algorithm hmac-sha256;
//!         secret "q0Wj…=";
//! };
//! ```
//!
//! A pure parser: comments (`#`, `//`, `/* */`) and layout are free, the first `key` clause
//! is used, and every problem is a [`KeyFileError`] naming it. The secret never reaches
//! `Debug` or an error message.

use std::fmt;

/// A TSIG MAC algorithm hickory-proto can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TsigAlgorithm {
    /// `hmac-sha256`, what `tsig-keygen` makes by default.
    HmacSha256,
    /// `hmac-sha384`.
    HmacSha384,
    /// `hmac-sha512`.
    HmacSha512,
}

/// A TSIG key: name, algorithm and secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TsigKey {
    name: String,
    algorithm: TsigAlgorithm,
    secret: Vec<u8>,
}

impl fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TsigKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("secret", &format_args!("<{} bytes>", self.secret.len()))
            .finish()
    }
}

/// Why a key file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file holds no `key "name" { … };` clause.
    #[error("no `key \"name\" {{ … }};` clause in the key file")]
    NoKey,
    /// The clause is malformed.
    #[error("key file line {line}: expected {expected}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// What was expected there.
        expected: String,
    },
    /// The algorithm is not one volact can sign with.
    #[error(
        "key `{key}`: algorithm `{algorithm}` is not supported (use hmac-sha256, hmac-sha384 or hmac-sha512)"
    )]
    Algorithm {
        /// The key name.
        key: String,
        /// The algorithm named in the file.
        algorithm: String,
    },
    /// A statement is missing.
    #[error("key `{key}` has no `{statement}` statement")]
    Missing {
        /// The key name.
        key: String,
        /// `algorithm` or `secret`.
        statement: &'static str,
    },
    /// The secret is not valid base64 (or is empty).
    #[error("key `{key}`: the secret is not valid base64")]
    Secret {
        /// The key name.
        key: String,
    },
    /// The file could not be read.
    #[error("cannot read key file {path}: {reason}")]
    Read {
        /// The path.
        path: String,
        /// The OS error text.
        reason: String,
    },
}

impl TsigKey {
    /// A key from its parts.
    pub fn new(name: &str, algorithm: TsigAlgorithm, secret: Vec<u8>) -> Self {
        Self {
            name: name.trim_end_matches('.').to_owned(),
            algorithm,
            secret,
        }
    }

    /// Parse BIND key-file text (the first `key` clause).
    ///
    /// ```
    /// use volact_net::tsig_key::{TsigAlgorithm, TsigKey};
    /// let k = TsigKey::parse("key \"kms-update\" {\n\talgorithm hmac-sha256;\n\tsecret \"AAECAw==\";\n};\n")?;
    /// assert_eq!((k.name(), k.algorithm(), k.secret()), ("kms-update", TsigAlgorithm::HmacSha256, &[0u8, 1, 2, 3][..]));
    /// assert!(!format!("{k:?}").contains("AAECAw"));
    /// # Ok::<(), volact_net::tsig_key::KeyFileError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, KeyFileError> {
        let tokens = tokenize(text)?;
        let mut it = tokens.iter().peekable();
        // Skip to the first `key`: a file may hold other clauses (`include`d configs).
        while let Some(t) = it.next() {
            if t.text == "key" && !t.quoted {
                return parse_clause(t.line, &mut it);
            }
        }
        Err(KeyFileError::NoKey)
    }

    /// Read and parse a key file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&text)
    }

    /// The key name (no trailing dot).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The algorithm.
    pub fn algorithm(&self) -> TsigAlgorithm {
        self.algorithm
    }

    /// The secret bytes.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

#[derive(Debug)]
struct Token {
    text: String,
    quoted: bool,
    line: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, KeyFileError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                loop {
                    match chars.next() {
                        Some('/') if prev == '*' => break,
                        Some(c) => {
                            line += usize::from(c == '\n');
                            prev = c;
                        }
                        None => {
                            return Err(KeyFileError::Syntax {
                                line,
                                expected: "`*/` closing the comment".into(),
                            });
                        }
                    }
                }
            }
            '"' => {
                let start = line;
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => {
                            line += usize::from(c == '\n');
                            s.push(c);
                        }
                        None => {
                            return Err(KeyFileError::Syntax {
                                line: start,
                                expected: "a closing `\"`".into(),
                            });
                        }
                    }
                }
                out.push(Token {
                    text: s,
                    quoted: true,
                    line: start,
                });
            }
            '{' | '}' | ';' => out.push(Token {
                text: c.to_string(),
                quoted: false,
                line,
            }),
            c => {
                let mut s = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, '{' | '}' | ';' | '"') {
                        break;
                    }
                    s.push(n);
                    chars.next();
                }
                out.push(Token {
                    text: s,
                    quoted: false,
                    line,
                });
            }
        }
    }
    Ok(out)
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut usize) {
    for c in chars.by_ref() {
        if c == '\n' {
            *line += 1;
            break;
        }
    }
}

fn parse_clause<'a>(
    key_line: usize,
    it: &mut std::iter::Peekable<impl Iterator<Item = &'a Token>>,
) -> Result<TsigKey, KeyFileError> {
    let syntax = |line: usize, expected: &str| KeyFileError::Syntax {
        line,
        expected: expected.into(),
    };
    let name = it
        .next()
        .filter(|t| !matches!(t.text.as_str(), "{" | "}" | ";") || t.quoted)
        .ok_or_else(|| syntax(key_line, "a key name after `key`"))?;
    let key = name.text.trim_end_matches('.').to_owned();
    match it.next() {
        Some(t) if t.text == "{" && !t.quoted => {}
        t => {
            return Err(syntax(
                t.map_or(name.line, |t| t.line),
                "`{` after the key name",
            ));
        }
    }
    let mut algorithm = None;
    let mut secret = None;
    loop {
        let Some(t) = it.next() else {
            return Err(syntax(key_line, "`};` closing the key clause"));
        };
        if t.text == "}" && !t.quoted {
            break;
        }
        let value = it
            .next()
            .ok_or_else(|| syntax(t.line, "a value after the statement"))?;
        match it.next() {
            Some(s) if s.text == ";" && !s.quoted => {}
            other => {
                return Err(syntax(
                    other.map_or(value.line, |s| s.line),
                    "`;` after the statement",
                ));
            }
        }
        match t.text.as_str() {
            "algorithm" => algorithm = Some(value.text.clone()),
            "secret" => secret = Some(value.text.clone()),
            // Other statements (none in BIND 9.18's key clause) are left alone.
            _ => {}
        }
    }
    let algorithm = algorithm.ok_or_else(|| KeyFileError::Missing {
        key: key.clone(),
        statement: "algorithm",
    })?;
    let algorithm = match algorithm.to_ascii_lowercase().trim_end_matches('.') {
        "hmac-sha256" => TsigAlgorithm::HmacSha256,
        "hmac-sha384" => TsigAlgorithm::HmacSha384,
        "hmac-sha512" => TsigAlgorithm::HmacSha512,
        _ => {
            return Err(KeyFileError::Algorithm {
                key,
                algorithm: algorithm.clone(),
            });
        }
    };
    let secret = secret.ok_or_else(|| KeyFileError::Missing {
        key: key.clone(),
        statement: "secret",
    })?;
    let secret = base64(&secret)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| KeyFileError::Secret { key: key.clone() })?;
    Ok(TsigKey {
        name: key,
        algorithm,
        secret,
    })
}

/// Standard base64 (RFC 4648 §4) with optional padding; whitespace inside is allowed, as
/// BIND allows it. `None` on any other character or a dangling bit group.
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut padding = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6 && padding <= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYGEN: &str = "key \"volact-test\" {\n\talgorithm hmac-sha256;\n\tsecret \"9r1yYJ0ttR3bxu5WL7q3GZ8OfExnUPQIxQ9TdqJqkzY=\";\n};\n";

    #[test]
    fn reads_tsig_keygen_output() {
        let k = TsigKey::parse(KEYGEN).unwrap();
        assert_eq!(k.name(), "volact-test");
        assert_eq!(k.algorithm(), TsigAlgorithm::HmacSha256);
        assert_eq!(k.secret().len(), 32);
        assert!(!format!("{k:?}").contains("9r1y"));
    }

    #[test]
    fn comments_and_layout_are_free() {
        let text = "# made by hand\n// twice\n/* block\n */ key kms. { secret \"AAEC\" ; algorithm HMAC-SHA512 ; } ;";
        let k = TsigKey::parse(text).unwrap();
        assert_eq!(
            (k.name(), k.algorithm()),
            ("kms", TsigAlgorithm::HmacSha512)
        );
        assert_eq!(k.secret(), &[0, 1, 2]);
    }

    #[test]
    fn typed_errors() {
        assert_eq!(TsigKey::parse("options { };"), Err(KeyFileError::NoKey));
        assert!(matches!(
            TsigKey::parse("key \"k\" { algorithm hmac-md5; secret \"AAEC\"; };"),
            Err(KeyFileError::Algorithm { .. })
        ));
        assert!(matches!(
            TsigKey::parse("key \"k\" { algorithm hmac-sha256; };"),
            Err(KeyFileError::Missing {
                statement: "secret",
                ..
            })
        ));
        assert!(matches!(
            TsigKey::parse("key \"k\" { algorithm hmac-sha256; secret \"@@\"; };"),
            Err(KeyFileError::Secret { .. })
        ));
        assert!(matches!(
            TsigKey::parse("key \"k\" {\n algorithm hmac-sha256\n secret \"AAEC\"; };"),
            Err(KeyFileError::Syntax { line: 3, .. })
        ));
        assert!(matches!(
            TsigKey::parse("key \"k"),
            Err(KeyFileError::Syntax { .. })
        ));
        assert!(matches!(
            TsigKey::parse("key"),
            Err(KeyFileError::Syntax { .. })
        ));
    }

    #[test]
    fn base64_vectors() {
        // RFC 4648 §10.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(enc).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64("Zg==Zg"), None);
        assert_eq!(base64("Z"), None);
    }
}
