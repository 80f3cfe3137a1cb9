//! What is stored beside each weights file, and reading a model back from `server/models/`.
//!
//! This sits below every recogniser and below the training toolkit: the recognisers read their
//! architecture from it, training writes it. Keeping it here (rather than in `ai/mod.rs`, where
//! it was) is what lets the parent module use its children without the children importing the
//! parent back.

use super::model::{self, ConvConfig, SeqConfig};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped when the input features or output format change incompatibly.
pub const FORMAT_VERSION: u32 = 1;

/// What is stored beside each weights file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelMeta {
    /// `shapes`, `chars`, `glyphs` or `words`.
    pub name: String,
    /// [`FORMAT_VERSION`] at training time.
    pub version: u32,
    /// Raster classifier architecture, for `shapes` and `chars`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv: Option<ConvConfig>,
    /// Sequence architecture, for `words` and `glyphs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<SeqConfig>,
    /// Confidence below which a shape is reported as `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// The command line that reproduces the weights.
    pub command: String,
    /// Held-out figures measured right after training.
    pub report: Report,
}

impl ModelMeta {
    /// Metadata of a raster classifier (`shapes`, `chars`); `threshold` is the shape model's
    /// confidence floor.
    pub fn conv(
        name: &str,
        conv: ConvConfig,
        threshold: Option<f32>,
        command: String,
        report: Report,
    ) -> Self {
        Self {
            name: name.into(),
            version: FORMAT_VERSION,
            conv: Some(conv),
            seq: None,
            threshold,
            command,
            report,
        }
    }

    /// Metadata of a sequence network (`glyphs`, `words`).
    pub fn seq(name: &str, seq: SeqConfig, command: String, report: Report) -> Self {
        Self {
            name: name.into(),
            version: FORMAT_VERSION,
            conv: None,
            seq: Some(seq),
            threshold: None,
            command,
            report,
        }
    }
}

/// Result figures of a training run, written next to the weights.
///
/// Defined here, with the metadata that stores it, rather than in the training toolkit: the
/// metadata is read at start-up by servers that never train.
#[derive(Debug, Serialize, Deserialize, Clone, Default)]
pub struct Report {
    /// Accuracy per named held-out set.
    pub accuracy: BTreeMap<String, f64>,
    /// Per-class accuracy on the main held-out set.
    pub per_class: BTreeMap<String, f64>,
    /// Sample counts used.
    pub counts: BTreeMap<String, usize>,
    /// Wall-clock seconds the run took.
    pub seconds: f64,
}

/// The shipped models' directory (`server/models` in the source tree).
pub fn default_models_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}

/// Reads `<name>.json` and `<name>.safetensors` from `dir`, refusing metadata of another
/// [`FORMAT_VERSION`].
pub fn read_model(
    dir: &Path,
    name: &str,
) -> anyhow::Result<(ModelMeta, candle_nn::VarBuilder<'static>)> {
    let meta_path = dir.join(format!("{name}.json"));
    let meta: ModelMeta = serde_json::from_slice(
        &std::fs::read(&meta_path)
            .with_context(|| format!("cannot read {}", meta_path.display()))?,
    )
    .with_context(|| format!("{} is not model metadata", meta_path.display()))?;
    anyhow::ensure!(
        meta.version == FORMAT_VERSION,
        "{} was trained for format {}, this build reads format {FORMAT_VERSION}: retrain it",
        meta_path.display(),
        meta.version
    );
    let weights = dir.join(format!("{name}.safetensors"));
    let bytes =
        std::fs::read(&weights).with_context(|| format!("cannot read {}", weights.display()))?;
    Ok((meta, model::var_builder_from_bytes(bytes)?))
}
