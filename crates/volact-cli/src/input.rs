//! Where inputs come from: the arguments, or standard input when the only argument is `-`.

use std::io::{self, BufRead};

/// The texts to process, in order. With `-`, one per line from standard input, blank
/// lines skipped; bytes that are not UTF-8 become U+FFFD so they are reported as invalid
/// characters rather than aborting the whole run.
pub(crate) fn texts(args: &[String]) -> io::Result<Vec<String>> {
    if args.len() == 1 && args[0] == "-" {
        let mut lines = Vec::new();
        let stdin = io::stdin();
        let mut reader = stdin.lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim_end_matches(['\n', '\r']);
            if !line.trim().is_empty() {
                lines.push(line.to_owned());
            }
        }
        Ok(lines)
    } else {
        Ok(args.to_vec())
    }
}
