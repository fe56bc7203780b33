//! Inspect product keys and IDs the way an administrator triaging a batch of machines would:
//! which keys are published KMS client setup keys, which are mistyped, and whether an
//! Installation ID read over the phone is intact.
//!
//! Run: `cargo run -p volact --example inspect_keys [KEY...]`

use volact::{catalog, ids, key};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let keys = if args.is_empty() {
        vec![
            "NPPR9-FWDCX-D2C8J-H872K-2YT43".to_owned(), // Windows 10/11 Enterprise GVLK
            "nppr9 fwdcx d2c8j h872k 2yt44".to_owned(), // the same key, last symbol mistyped
            "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4".to_owned(), // Windows 7 Professional (pkey2005)
        ]
    } else {
        args
    };
    for text in &keys {
        let report = key::inspect(text);
        match (&report.key, &report.error) {
            (Some(k), _) => {
                let rows: Vec<String> = catalog::rows_for_key(k)
                    .iter()
                    .map(|r| format!("{} {}", r.family, r.edition))
                    .collect();
                let group = k.pkey2009().map_or("no group (pkey2005)".to_owned(), |f| {
                    format!("group {}", f.group_id)
                });
                println!(
                    "{k}  valid {}, {group}, channel {}, {}",
                    k.algorithm(),
                    catalog::channel(k).unwrap_or("unknown"),
                    if rows.is_empty() {
                        "not a published GVLK".to_owned()
                    } else {
                        rows.join("; ")
                    }
                );
            }
            (None, Some(e)) => println!("{}  INVALID: {e}", report.masked),
            (None, None) => unreachable!("a report without a key has an error"),
        }
    }
    let iid = "070846-984606-199354-110900-862045-444713-121295-109842-549701";
    let check = ids::check(iid);
    println!(
        "IID {}: {}",
        check.canonical.as_deref().unwrap_or(iid),
        if check.is_valid() {
            "every check digit holds".to_owned()
        } else {
            format!("{:?}", check.error)
        }
    );
}
