//! The baseline of `benches/compare_cil.py`: a bare quick-xml event read-and-write pass.
//!
//! ```sh
//! xml_copy OUTDIR FILE...
//! ```
//!
//! Each FILE is read, checked as UTF-8, read event by event with `quick_xml::Reader::from_str`
//! (default configuration: no trimming, end names checked) and every event written back with
//! `quick_xml::Writer` into memory, then saved as `OUTDIR/<file name>` with `sync_all`
//! (`volact cil merge` also syncs its output). Prints the bytes and events copied.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Copies one file's XML events; returns (bytes read, events).
fn copy(input: &Path, outdir: &Path) -> Result<(usize, usize), String> {
    let bytes = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", input.display()))?;
    let (out, events) = volact_benches::cil_gen::quickxml_copy(text)
        .map_err(|e| format!("{}: {e}", input.display()))?;
    let name = input.file_name().ok_or("no file name")?;
    let path = outdir.join(name);
    let mut file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(&out)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes.len(), events))
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [outdir, inputs @ ..] = args.as_slice() else {
        eprintln!("usage: xml_copy OUTDIR FILE...");
        return ExitCode::from(2);
    };
    if inputs.is_empty() {
        eprintln!("usage: xml_copy OUTDIR FILE...");
        return ExitCode::from(2);
    }
    let (mut bytes, mut events) = (0, 0);
    for input in inputs {
        match copy(input, outdir) {
            Ok((b, e)) => {
                bytes += b;
                events += e;
            }
            Err(e) => {
                eprintln!("xml_copy: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("copied {bytes} bytes, {events} events");
    ExitCode::SUCCESS
}
