//! Reading handwriting with whichever models are installed: a lone character goes to the
//! character model, anything longer to the word model.
//!
//! Apart from both models because it needs both: the character model already builds on the word
//! model (its glyph network is the word model's architecture), so the choice between them cannot
//! live in either without an import circle.

use super::chars::CharModel;
use super::error::RecognizeError;
use super::words::WordModel;
use inkroom_core::ink::{Charset, Ink, Scored, TextRecognition};

/// How sure the character model must be of a glyph the word model read as two symbols for the
/// glyph to win (measured on held-out writers: see `docs/ai.md`).
const CHAR_OVER_PAIR: f32 = 0.9;

/// Reads handwriting with whichever models are installed: one character is read by the
/// character model (sharper on isolated glyphs), longer ink by the word model.
pub fn read(
    chars: Option<&CharModel>,
    words: Option<&WordModel>,
    ink: &Ink,
    charset: Charset,
) -> Result<TextRecognition, RecognizeError> {
    let fail = |e: candle_core::Error| RecognizeError::Failed(e.to_string());
    let decoded = words.and_then(|w| Some((w, w.decode(ink, charset)?)));
    let path_len = decoded.as_ref().map_or(0, |(_, d)| d.path.len());
    // A lone glyph the word model splits in two (an `m` as `rn`, a `k` as `lc`) is still one
    // character when the character model is sure of it and surer than the word model is of its
    // path; real two-letter words rarely look like one confident glyph.
    let char_reading = match (chars, &decoded) {
        (Some(cm), _) if path_len <= 1 => Some(cm.top(ink, 5, charset).map_err(fail)?),
        (Some(cm), Some((_, d))) if path_len == 2 => {
            let top = cm.top(ink, 5, charset).map_err(fail)?;
            let sure =
                top[0].confidence >= CHAR_OVER_PAIR && top[0].confidence > d.path_score.exp();
            sure.then_some(top)
        }
        _ => None,
    };
    if let Some(top) = char_reading {
        let text = top[0].label.to_string();
        return Ok(TextRecognition {
            text: text.clone(),
            confidence: top[0].confidence,
            alternatives: top[1..]
                .iter()
                .map(|s| Scored {
                    label: s.label.to_string(),
                    confidence: s.confidence,
                })
                .collect(),
            unconstrained: text,
        });
    }
    // Only now, for a word, is the lexicon worth scoring.
    let (model, d) = decoded.ok_or(RecognizeError::Unavailable("handwriting"))?;
    Ok(model.text(d))
}
