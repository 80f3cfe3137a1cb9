//! Reading pen-stroke datasets: gzip'd (or plain) JSON lines, one sample per line, as in
//! `../shared/data/strokes/` (see its README).
//!
//! ```json
//! {"dataset": "dollar1_unistroke", "label": "rectangle", "writer": "s03",
//!  "strokes": [[[x, y, t], ...], ...], "y_axis": "down"}
//! ```
//!
//! Samples recorded with `y_axis: "up"` are flipped on reading so everything downstream sees the
//! screen convention; `"unknown"` is kept as recorded and flagged, and the recognisers try both
//! orientations for it.

use anyhow::Context;
use inkroom_core::ink::{Ink, InkPoint};
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One labelled (or unlabelled) sample.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The dataset it came from (`dollar1_unistroke`, `unipen_6`, …).
    pub dataset: String,
    /// The normalised label, empty when the file has none.
    pub label: String,
    /// Who wrote it; splits are made by writer.
    pub writer: String,
    /// The strokes, y down (unless `orientation_unknown`).
    pub ink: Ink,
    /// The source did not say which way y points.
    pub orientation_unknown: bool,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    dataset: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    writer: String,
    strokes: Vec<Vec<InkPoint>>,
    #[serde(default)]
    y_axis: Option<String>,
}

/// Reads every sample of a `.jsonl` or `.jsonl.gz` file. Lines that do not parse are reported
/// with their line number (a corrupt file should be noticed, not half-used).
pub fn read_file(path: &Path) -> anyhow::Result<Vec<Sample>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut out = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.with_context(|| format!("{}: cannot read", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let raw: Raw = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a stroke sample", path.display(), i + 1))?;
        let mut ink = Ink::new(raw.strokes);
        let y = raw.y_axis.as_deref().unwrap_or("down");
        if y == "up" {
            ink.flip_y();
        }
        out.push(Sample {
            dataset: raw.dataset,
            label: raw.label,
            writer: raw.writer,
            ink,
            orientation_unknown: y == "unknown",
        });
    }
    Ok(out)
}

/// Reads `name` (e.g. `dollar1_unistroke`) from the data directory, trying `.jsonl.gz` and
/// `.jsonl`.
pub fn read_dataset(dir: &Path, name: &str) -> anyhow::Result<Vec<Sample>> {
    for ext in ["jsonl.gz", "jsonl"] {
        let p = dir.join(format!("{name}.{ext}"));
        if p.exists() {
            return read_file(&p);
        }
    }
    anyhow::bail!("{name}.jsonl.gz not found in {}", dir.display())
}

/// Whether a writer belongs to our held-out validation split: one writer in five, chosen by a
/// stable hash of dataset and writer, so figures are always measured on people the model never
/// saw (random samples would leak each writer's style into validation).
pub fn is_held_out(dataset: &str, writer: &str) -> bool {
    // FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dataset.bytes().chain([0]).chain(writer.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.is_multiple_of(5)
}

/// Splits samples into (training, held-out) by writer.
pub fn split_by_writer(samples: Vec<Sample>) -> (Vec<Sample>, Vec<Sample>) {
    samples
        .into_iter()
        .partition(|s| !is_held_out(&s.dataset, &s.writer))
}

/// Reads `sets` from `data_dir`, keeps the samples `keep` accepts (and whose orientation is
/// known), and splits them by writer: `(training, held_out)`.
pub fn read_split(
    data_dir: &Path,
    sets: &[&str],
    keep: impl Fn(&Sample) -> bool,
) -> anyhow::Result<(Vec<Sample>, Vec<Sample>)> {
    let mut all = Vec::new();
    for name in sets {
        let mut s = read_dataset(data_dir, name)?;
        s.retain(|x| !x.orientation_unknown && keep(x));
        all.extend(s);
    }
    Ok(split_by_writer(all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_plain_and_gzip_lines_and_flips_y_up() {
        let dir = tempfile::tempdir().unwrap();
        let line = r#"{"dataset":"d","label":"7","writer":"w1","strokes":[[[0,10],[5,20,3]]],"y_axis":"up","extra":1}"#;
        std::fs::write(dir.path().join("a.jsonl"), format!("{line}\n\n")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(dir.path().join("b.jsonl.gz")).unwrap(),
            flate2::Compression::fast(),
        );
        writeln!(gz, "{line}").unwrap();
        gz.finish().unwrap();
        for name in ["a", "b"] {
            let s = read_dataset(dir.path(), name).unwrap();
            assert_eq!(s.len(), 1);
            assert_eq!(s[0].ink.strokes[0][1].y, -20.0);
            assert_eq!((s[0].label.as_str(), s[0].writer.as_str()), ("7", "w1"));
        }
        std::fs::write(dir.path().join("c.jsonl"), "{not json}\n").unwrap();
        let err = read_dataset(dir.path(), "c").unwrap_err().to_string();
        assert!(err.contains("c.jsonl:1"), "{err}");
    }

    #[test]
    fn the_split_is_by_writer_and_about_one_in_five() {
        let held = (0..1000)
            .filter(|i| is_held_out("set", &format!("w{i}")))
            .count();
        assert!((150..250).contains(&held), "{held}");
        assert_eq!(is_held_out("set", "w1"), is_held_out("set", "w1"));
    }
}
