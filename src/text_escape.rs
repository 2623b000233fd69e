//! Escaping of untrusted text, such as log lines, rule names and file names, for display.
//!
//! Evidence text can carry characters that a terminal, a PDF viewer or a Markdown renderer
//! acts on instead of showing. Terminal escape sequences (ESC, BEL, OSC 8 links) change
//! colours or add links, bidirectional overrides and isolates (U+202E, U+2066 to U+2069)
//! reorder the text around them, and zero-width characters (U+200B, U+FEFF) hide inside a
//! word. [`escape_invisible`] writes each of them as a visible `\u{XXXX}` code, so the reader
//! sees that they are there and the text around them stays in order. Every other character
//! is kept.
//!
//! A character is escaped when its Unicode general category (Unicode 16.0, through the
//! `unicode-general-category` crate) is one of:
//! - `Cc`, control: C0 controls, DEL and C1 controls, including ESC, BEL, CR, LF and TAB;
//! - `Cf`, format: bidirectional marks, embeddings, overrides and isolates, zero-width space,
//!   joiners, word joiner, byte order mark, soft hyphen and the invisible tag characters;
//! - `Zl` and `Zp`, the line and paragraph separators U+2028 and U+2029.
//!
//! A zero-width joiner inside an emoji sequence is escaped as well, because the category
//! cannot tell it from one that hides in a word. A backslash is kept as it is, so the text
//! `\u{202E}` in a log line looks the same as an escaped U+202E; the escape makes hidden
//! characters visible and is not meant to be reversed.
//!
//! The command line writes terminal text through [`escape_invisible`]. The Markdown and PDF
//! writers use [`is_invisible`] and [`push_escaped`] after they have handled line breaks
//! and tabs their own way.

use std::borrow::Cow;

use unicode_general_category::{get_general_category, GeneralCategory};

/// Returns true when `ch` is a control, format, line separator or paragraph separator
/// character, which [`escape_invisible`] writes as `\u{XXXX}`.
pub fn is_invisible(ch: char) -> bool {
    matches!(
        get_general_category(ch),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// Appends the visible code of `ch`, for example `\u{1B}` for ESC or `\u{202E}` for the
/// right-to-left override: upper-case hexadecimal digits without leading zeros, as Rust
/// writes a character escape.
pub fn push_escaped(out: &mut String, ch: char) {
    out.push_str(&format!("\\u{{{:X}}}", u32::from(ch)));
}

/// Returns `text` with every control, format and separator character written as
/// `\u{XXXX}`; see the module documentation. Text without such characters is borrowed.
pub fn escape_invisible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if is_invisible(ch) {
            push_escaped(&mut out, ch);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        let text = "IPT-DROP 10.200.0.10 Ελένη 東京 [UFW BLOCK] \\path";
        assert!(matches!(escape_invisible(text), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_controls_are_escaped() {
        assert_eq!(escape_invisible("\u{1b}[31mred\u{7}"), "\\u{1B}[31mred\\u{7}");
        assert_eq!(escape_invisible("a\nb\r\tc"), "a\\u{A}b\\u{D}\\u{9}c");
        assert_eq!(escape_invisible("del\u{7f} c1\u{9b}"), "del\\u{7F} c1\\u{9B}");
    }

    #[test]
    fn bidi_and_zero_width_are_escaped() {
        let cases = [
            ("\u{202E}fdp.exe", "\\u{202E}fdp.exe"),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            ("\u{2067}\u{2068}", "\\u{2067}\\u{2068}"),
            ("ad\u{200B}min", "ad\\u{200B}min"),
            ("\u{FEFF}bom", "\\u{FEFF}bom"),
            ("soft\u{AD}hyphen", "soft\\u{AD}hyphen"),
            ("tag\u{E0041}", "tag\\u{E0041}"),
            ("line\u{2028}para\u{2029}", "line\\u{2028}para\\u{2029}"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_invisible(input), expected, "input {input:?}");
        }
    }
}
