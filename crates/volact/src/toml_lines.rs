//! Line numbers for TOML input files (topologies, fleet scenarios): every error names the
//! line it is about, from the byte spans `toml::Spanned` keeps.

use serde::de::DeserializeOwned;
use toml::Spanned;

/// The text being read, to turn byte offsets into 1-based line numbers.
pub(crate) struct Lines<'a>(pub(crate) &'a str);

impl Lines<'_> {
    /// The line a spanned value starts on.
    pub(crate) fn of<T>(&self, s: &Spanned<T>) -> usize {
        self.at(s.span().start)
    }

    /// The line of byte `offset` (past the end: the last line).
    pub(crate) fn at(&self, offset: usize) -> usize {
        let end = offset.min(self.0.len());
        self.0.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// Deserializes the whole text; a syntax or type error comes back as its line and the
    /// parser's message.
    pub(crate) fn parse<T: DeserializeOwned>(&self) -> Result<T, (usize, String)> {
        toml::from_str(self.0).map_err(|e| {
            (
                e.span().map_or(1, |s| self.at(s.start)),
                e.message().trim().to_string(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_errors_carry_theirs() {
        let lines = Lines("a = 1\nb = 2\n");
        assert_eq!((lines.at(0), lines.at(6), lines.at(999)), (1, 2, 3));
        let bad = Lines("a = 1\nb = = 2\n");
        let err = bad.parse::<toml::Table>().unwrap_err();
        assert_eq!(err.0, 2, "{err:?}");
    }
}
