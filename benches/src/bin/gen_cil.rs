//! Writes a generated full CIL and its returned (proxy-only export + CIDs) counterpart:
//!
//! ```sh
//! cargo run --release -p volact-benches --bin gen_cil -- OUTDIR [COMPUTERS [PRODUCTS]]
//! ```
//!
//! Defaults: 100,000 computers, 2 products each (about 120 MB). Writes `OUTDIR/full.cil` and
//! `OUTDIR/returned.cil`. The data is fictitious (see `volact_benches::cil_gen`).

use std::path::PathBuf;
use std::process::ExitCode;
use volact_benches::cil_gen::{generate_full, generate_returned};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen_cil OUTDIR [COMPUTERS [PRODUCTS_PER_COMPUTER]]";
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let number = |i: usize, default: usize| -> Option<usize> {
        args.get(i)
            .map_or(Some(default), |a| a.replace('_', "").parse().ok())
    };
    let (Some(computers), Some(products)) = (number(1, 100_000), number(2, 2)) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let run = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let full = generate_full(computers, products);
        std::fs::write(dir.join("full.cil"), &full)?;
        let returned = generate_returned(&full);
        std::fs::write(dir.join("returned.cil"), &returned)?;
        println!(
            "{}: {computers} computers x {products} products, full.cil {} bytes, returned.cil {} bytes",
            dir.display(),
            full.len(),
            returned.len()
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_cil: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
