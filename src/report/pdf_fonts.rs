//! The bundled fonts and text measuring for the PDF writer.
//!
//! printpdf's low-level API places text at a point and does not wrap it. This module
//! therefore measures each line from the glyph advances in the `hmtx` table of the bundled
//! DejaVu fonts, which are the widths printpdf writes into the PDF's `/W` array, and breaks
//! lines itself. It also records every character the fonts have no glyph for, so the PDF
//! can list them instead of dropping them silently.

use std::cell::RefCell;
use std::collections::BTreeSet;

use printpdf::{FontId, ParsedFont, PdfDocument, PdfFont};

use super::ReportError;
use crate::text_escape::{is_invisible, push_escaped};

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const MONO_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Bundled font face of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontStyle {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Mono, for hashes, paths and excerpts.
    Mono,
}

pub(super) struct LoadedFont {
    parsed: ParsedFont,
    /// Resource name of the font in the PDF.
    pub(super) id: FontId,
    units_per_em: f32,
    /// Glyph drawn for a character the face lacks: U+FFFD when the face has it, else `?`.
    replacement: char,
}

/// The three bundled faces, registered with the document.
pub struct Fonts {
    regular: LoadedFont,
    bold: LoadedFont,
    mono: LoadedFont,
    /// Characters met in text that a face has no glyph for.
    missing: RefCell<BTreeSet<char>>,
}

impl Fonts {
    /// Parses the bundled fonts and registers them with `doc` under fixed resource names.
    ///
    /// printpdf's `add_font` names fonts with a process-wide pseudo-random counter, which
    /// would make two renders of one report differ; the names here are fixed instead.
    pub fn load(doc: &mut PdfDocument) -> Result<Self, ReportError> {
        let mut load = |bytes: &[u8], name: &'static str, resource: &str| -> Result<LoadedFont, ReportError> {
            let mut warnings = Vec::new();
            let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
                .ok_or_else(|| ReportError::FontParse { name, details: format!("{warnings:?}") })?;
            let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
            let id = FontId(resource.to_string());
            doc.resources.fonts.map.insert(id.clone(), PdfFont::new(parsed.clone()));
            let has_replacement = parsed.lookup_glyph_index(0xFFFD).is_some_and(|gid| gid != 0);
            let replacement = if has_replacement { '\u{FFFD}' } else { '?' };
            Ok(LoadedFont { parsed, id, units_per_em, replacement })
        };
        Ok(Fonts {
            regular: load(REGULAR_TTF, "DejaVuSans.ttf", "F1")?,
            bold: load(BOLD_TTF, "DejaVuSans-Bold.ttf", "F2")?,
            mono: load(MONO_TTF, "DejaVuSansMono.ttf", "F3")?,
            missing: RefCell::new(BTreeSet::new()),
        })
    }

    /// Returns the characters met so far that a face could not draw, in code point order.
    pub fn missing_characters(&self) -> Vec<char> {
        self.missing.borrow().iter().copied().collect()
    }

    pub(super) fn face(&self, style: FontStyle) -> &LoadedFont {
        match style {
            FontStyle::Regular => &self.regular,
            FontStyle::Bold => &self.bold,
            FontStyle::Mono => &self.mono,
        }
    }

    /// Returns the advance width of one character in points.
    pub fn char_width(&self, style: FontStyle, size: f32, ch: char) -> f32 {
        let face = self.face(style);
        let gid = face.parsed.lookup_glyph_index(u32::from(ch)).unwrap_or(0);
        f32::from(face.parsed.get_horizontal_advance(gid)) * size / face.units_per_em
    }

    /// Returns the width of a text in points.
    pub fn width(&self, style: FontStyle, size: f32, text: &str) -> f32 {
        text.chars().map(|ch| self.char_width(style, size, ch)).sum()
    }

    /// Replaces what the face cannot or should not draw, so measured and drawn text agree
    /// and no `.notdef` box appears. Line breaks are kept and tabs become spaces. Other
    /// control, format and separator characters (terminal escapes, bidirectional overrides,
    /// zero-width characters) are written as `\u{XXXX}` ([`crate::text_escape`]), so they
    /// can neither reorder nor hide text. Characters without a glyph become U+FFFD (or `?`)
    /// and are recorded for [`Fonts::missing_characters`].
    pub fn printable(&self, style: FontStyle, text: &str) -> String {
        let face = self.face(style);
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            match ch {
                '\n' => out.push('\n'),
                '\t' => out.push(' '),
                ch if is_invisible(ch) => push_escaped(&mut out, ch),
                ch if face.parsed.lookup_glyph_index(u32::from(ch)).is_some_and(|gid| gid != 0) => out.push(ch),
                ch => {
                    self.missing.borrow_mut().insert(ch);
                    out.push(face.replacement);
                }
            }
        }
        out
    }

    /// Wraps a text into lines no wider than `max_width`. Each `\n` starts a new line;
    /// a word wider than the line is broken, preferably after `/`, `-`, `.` or similar.
    pub fn wrap(&self, style: FontStyle, size: f32, text: &str, max_width: f32) -> Vec<String> {
        let text = self.printable(style, text);
        let space = self.char_width(style, size, ' ');
        let mut lines = Vec::new();
        for source_line in text.split('\n') {
            let mut current = String::new();
            let mut current_width = 0.0;
            for word in source_line.split_whitespace() {
                let word_width = self.width(style, size, word);
                if word_width > max_width {
                    if !current.is_empty() {
                        lines.push(std::mem::take(&mut current));
                    }
                    let mut pieces = self.break_word(style, size, word, max_width);
                    let last = pieces.pop().unwrap_or_default();
                    lines.extend(pieces);
                    current_width = self.width(style, size, &last);
                    current = last;
                } else if current.is_empty() {
                    current = word.to_string();
                    current_width = word_width;
                } else if current_width + space + word_width <= max_width {
                    current.push(' ');
                    current.push_str(word);
                    current_width += space + word_width;
                } else {
                    lines.push(std::mem::replace(&mut current, word.to_string()));
                    current_width = word_width;
                }
            }
            lines.push(current);
        }
        lines
    }

    /// Splits one word into pieces that each fit `max_width` (at least one character each).
    fn break_word(&self, style: FontStyle, size: f32, word: &str, max_width: f32) -> Vec<String> {
        const BREAK_AFTER: [char; 9] = ['/', '\\', '-', '_', '.', ',', ':', ';', '='];
        let chars: Vec<char> = word.chars().collect();
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = start;
            let mut width = 0.0;
            while end < chars.len() {
                let w = self.char_width(style, size, chars[end]);
                if end > start && width + w > max_width {
                    break;
                }
                width += w;
                end += 1;
            }
            if end < chars.len() {
                // Prefer a break after punctuation in the second half of the piece.
                let half = start + (end - start) / 2;
                if let Some(pos) = (half..end).rev().find(|&i| BREAK_AFTER.contains(&chars[i])) {
                    end = pos + 1;
                }
            }
            pieces.push(chars[start..end].iter().collect());
            start = end;
        }
        pieces
    }

    /// Shortens a text to one line of at most `max_width`, ending it with `…` when cut.
    pub fn fit_line(&self, style: FontStyle, size: f32, text: &str, max_width: f32) -> String {
        let text = self.printable(style, &text.replace('\n', " "));
        if self.width(style, size, &text) <= max_width {
            return text;
        }
        let ellipsis = self.char_width(style, size, '…');
        let mut out = String::new();
        let mut width = 0.0;
        for ch in text.chars() {
            let w = self.char_width(style, size, ch);
            if width + w + ellipsis > max_width {
                break;
            }
            out.push(ch);
            width += w;
        }
        out.push('…');
        out
    }
}
