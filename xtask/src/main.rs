//! `cargo run -p xtask -- gen-catalog`: regenerate committed sources.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen-catalog") => {
            let (csv, table) = xtask::catalog_paths();
            let result = std::fs::read_to_string(&csv)
                .map_err(|e| format!("{}: {e}", csv.display()))
                .and_then(|text| xtask::generate_catalog(&text))
                .and_then(|code| {
                    // Temporary file + rename: an interrupted run never leaves half a table.
                    let tmp = table.with_extension("rs.tmp");
                    std::fs::write(&tmp, code)
                        .and_then(|()| std::fs::rename(&tmp, &table))
                        .map_err(|e| format!("{}: {e}", table.display()))
                });
            match result {
                Ok(()) => {
                    eprintln!("wrote {}", table.display());
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gen-catalog: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cargo run -p xtask -- gen-catalog");
            std::process::ExitCode::from(2)
        }
    }
}
