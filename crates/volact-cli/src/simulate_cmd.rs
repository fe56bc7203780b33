//! `volact simulate SCENARIO.toml [--json] [--csv DIR] [--svg FILE]`: runs a fleet scenario
//! (`volact::fleet`) and prints a summary, the report as JSON, CSV tables, or a timeline
//! chart. Files are written atomically through `volact_io`.

use crate::Verdict;
use clap::Args;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use volact_core::fleet::{FleetReport, run_toml};

/// `volact simulate`'s arguments.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The scenario file (TOML; schema in docs/fleet-simulation.md).
    scenario: PathBuf,
    /// Print the whole report as one JSON object instead of the summary.
    #[arg(long)]
    json: bool,
    /// Write daily_status.csv, hosts.csv, host_daily.csv and notification.csv into DIR.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// Write a timeline chart (license states per day, host counts) as SVG.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

fn failed(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Runs `volact simulate`.
pub fn run(a: SimulateArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let path = &a.scenario;
    let bytes = volact_io::read(path).map_err(failed)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not UTF-8 text: {e}", path.display()),
        )
    })?;
    let report = run_toml(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })?;
    if let Some(dir) = &a.csv {
        write_csv(dir, &report)?;
    }
    if let Some(file) = &a.svg {
        let svg = chart(&report, &title(path)).map_err(failed)?;
        volact_io::atomic::write(file, svg.as_bytes()).map_err(failed)?;
    }
    if a.json {
        serde_json::to_writer(&mut *out, &report).map_err(failed)?;
        writeln!(out)?;
    } else {
        summary(&report, out)?;
    }
    Ok(Verdict::AllValid)
}

fn title(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".toml").to_string())
        .unwrap_or_default()
}

fn summary(r: &FleetReport, out: &mut dyn Write) -> io::Result<()> {
    let e = &r.end_status;
    writeln!(
        out,
        "{} clients, {} days (seed {}): {} attempts, {} requests, {:.1} % over the WAN",
        r.clients,
        r.days,
        r.seed,
        r.attempts,
        r.requests,
        r.wan_share * 100.0
    )?;
    writeln!(
        out,
        "at the end: {} licensed, {} initial grace, {} out-of-tolerance grace, {} notification, \
         {} not deployed",
        e.licensed, e.oob_grace, e.oot_grace, e.notification, e.not_deployed
    )?;
    let f = &r.first_activation;
    let m = |v: Option<u64>| v.map_or("-".to_string(), |m| format!("{m} min"));
    writeln!(
        out,
        "first activation: {} clients (median {}, 90th percentile {}, slowest {}); {} never",
        f.activated,
        m(f.p50_minutes),
        m(f.p90_minutes),
        m(f.max_minutes),
        f.never_activated
    )?;
    writeln!(out, "hosts:")?;
    for h in &r.hosts {
        let errors: Vec<String> = h.errors.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        writeln!(
            out,
            "  {} ({}): {} requests, {} activated, {} over the WAN, count at end {}{}",
            h.name,
            h.site,
            h.requests,
            h.activated,
            h.wan_requests,
            h.daily_count.last().copied().unwrap_or(0),
            if errors.is_empty() {
                String::new()
            } else {
                format!("; errors {}", errors.join(", "))
            }
        )?;
    }
    for s in &r.shared_cmids {
        writeln!(
            out,
            "shared CMID: {} clients of {} share {}: {}",
            s.clients, s.group, s.cmid, s.note
        )?;
    }
    if r.notification.clients > 0 {
        writeln!(
            out,
            "{} clients end in Notification (0xC004F009, grace period expired), because:",
            r.notification.clients
        )?;
        for n in &r.notification.reasons {
            writeln!(
                out,
                "  {} ×{} (from day {} to day {}): {} {}",
                n.code, n.clients, n.first_day, n.last_day, n.message, n.cause
            )?;
            writeln!(out, "    `volact explain {}` for the fix", n.code)?;
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv(dir: &Path, r: &FleetReport) -> io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("create {}: {e}", dir.display())))?;
    let mut daily = String::from(
        "day,not_deployed,licensed,oob_grace,oot_grace,notification,other,requests,wan_requests,unreachable\n",
    );
    for d in &r.daily {
        let s = &d.status;
        let _ = writeln!(
            daily,
            "{},{},{},{},{},{},{},{},{},{}",
            d.day,
            s.not_deployed,
            s.licensed,
            s.oob_grace,
            s.oot_grace,
            s.notification,
            s.other,
            d.requests,
            d.wan_requests,
            d.unreachable
        );
    }
    let mut hosts = String::from("host,site,requests,activated,wan_requests,errors\n");
    let mut host_daily = String::from("day,host,requests,count,office_count\n");
    for h in &r.hosts {
        let errors: Vec<String> = h.errors.iter().map(|(c, n)| format!("{c}={n}")).collect();
        let _ = writeln!(
            hosts,
            "{},{},{},{},{},{}",
            csv_field(&h.name),
            csv_field(&h.site),
            h.requests,
            h.activated,
            h.wan_requests,
            csv_field(&errors.join(" "))
        );
        for (d, req) in h.daily_requests.iter().enumerate() {
            let _ = writeln!(
                host_daily,
                "{d},{},{req},{},{}",
                csv_field(&h.name),
                h.daily_count.get(d).copied().unwrap_or(0),
                h.daily_office_count.get(d).copied().unwrap_or(0)
            );
        }
    }
    let mut notification = String::from("code,clients,first_day,last_day,message,groups\n");
    for n in &r.notification.reasons {
        let groups: Vec<String> = n.groups.iter().map(|(g, c)| format!("{g}={c}")).collect();
        let _ = writeln!(
            notification,
            "{},{},{},{},{},{}",
            n.code,
            n.clients,
            n.first_day,
            n.last_day,
            csv_field(&n.message),
            csv_field(&groups.join(" "))
        );
    }
    for (name, body) in [
        ("daily_status.csv", daily),
        ("hosts.csv", hosts),
        ("host_daily.csv", host_daily),
        ("notification.csv", notification),
    ] {
        volact_io::atomic::write(&dir.join(name), body.as_bytes()).map_err(failed)?;
    }
    Ok(())
}

/// The states drawn, bottom to top, with their colours.
const STATES: [(&str, RGBColor); 5] = [
    ("Licensed", RGBColor(46, 139, 87)),
    ("Initial grace", RGBColor(100, 149, 237)),
    ("Out-of-tolerance grace", RGBColor(255, 165, 0)),
    ("Notification", RGBColor(205, 38, 38)),
    ("Not deployed", RGBColor(190, 190, 190)),
];

const HOST_COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
];

/// A two-panel timeline: clients by license state per day (stacked areas), then each host's
/// requests per day and count (lines). plotters' SVG backend writes `<text>` elements, so
/// no font is needed to render it.
pub fn chart(r: &FleetReport, title: &str) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 720)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(400);
        let days = r.days.max(1);
        let clients = r.clients.max(1);
        let mut c = ChartBuilder::on(&top)
            .caption(
                format!("{title}: clients by license state, {} clients", r.clients),
                ("sans-serif", 20),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(0u32..days, 0u64..clients)?;
        c.configure_mesh()
            .x_desc("day")
            .y_desc("clients")
            .light_line_style(WHITE)
            .draw()?;
        let layer = |d: &volact_core::fleet::report::DayRow, k: usize| {
            let s = &d.status;
            [
                s.licensed + s.other,
                s.oob_grace,
                s.oot_grace,
                s.notification,
                s.not_deployed,
            ][..=k]
                .iter()
                .sum::<u64>()
        };
        // Cumulative layers, the top one first so each lower one is drawn over it.
        for k in (0..STATES.len()).rev() {
            let (label, colour) = STATES[k];
            c.draw_series(AreaSeries::new(
                r.daily.iter().map(|d| (d.day, layer(d, k))),
                0,
                colour.mix(0.85),
            ))?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;

        let max_requests = r
            .hosts
            .iter()
            .flat_map(|h| h.daily_requests.iter().copied())
            .max()
            .unwrap_or(0)
            .max(50);
        let mut h = ChartBuilder::on(&bottom)
            .caption(
                format!(
                    "requests per day by host (solid) and host count (dashed); {:.1} % over the WAN",
                    r.wan_share * 100.0
                ),
                ("sans-serif", 18),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(0u32..days, 0u64..max_requests + max_requests / 10)?;
        h.configure_mesh()
            .x_desc("day")
            .y_desc("requests / count")
            .light_line_style(WHITE)
            .draw()?;
        for (i, host) in r.hosts.iter().enumerate() {
            let colour = HOST_COLOURS[i % HOST_COLOURS.len()];
            h.draw_series(LineSeries::new(
                host.daily_requests
                    .iter()
                    .enumerate()
                    .map(|(d, &n)| (d as u32, n)),
                colour.stroke_width(2),
            ))?
            .label(format!("{} ({})", host.name, host.site))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(2)));
            h.draw_series(DashedLineSeries::new(
                host.daily_count
                    .iter()
                    .enumerate()
                    .map(|(d, &n)| (d as u32, u64::from(n))),
                4,
                3,
                colour.stroke_width(1),
            ))?;
        }
        h.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
