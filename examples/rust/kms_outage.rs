//! What happens to the seed's global network when both east KMS hosts are down for three
//! months: run the baseline and the outage scenario and compare where requests went.
//!
//! Run: `cargo run -p volact --example kms_outage`

use volact::fleet::run_toml;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for (name, text) in [
        ("baseline", include_str!("../kms/global.scenario.toml")),
        (
            "east hosts down, days 60-150",
            include_str!("../kms/global-east-down.scenario.toml"),
        ),
    ] {
        let r = run_toml(text)?;
        println!(
            "{name}: {} clients, {} requests, {:.1} % over the WAN, {} licensed at the end",
            r.clients,
            r.requests,
            100.0 * r.wan_share,
            r.end_status.licensed
        );
        for h in &r.hosts {
            let during: u64 = h.daily_requests.iter().skip(61).take(89).copied().sum();
            println!(
                "  {}: {} requests in all, {during} during days 61-149",
                h.name, h.requests
            );
        }
    }
    Ok(())
}
