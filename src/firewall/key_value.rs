//! `key=value` message bodies, as FortiGate, SonicWall and Sophos firewalls write them.
//!
//! A body is a list of pairs separated by spaces. A key is a run of characters other than
//! space, `=` and `"`. A value is either bare (it ends at the next space) or quoted: it starts
//! with `"` and ends at the next `"` that is not escaped, so spaces, `=` and commas inside it
//! belong to the value. Inside a quoted value `\"` is a quote and `\\` a backslash; any other
//! backslash is kept as written. `key=` is an empty value.
//!
//! Text that is not a pair (a word without `=`) and a quoted value without its closing quote
//! are errors, so a damaged line is reported, never read with shifted values.
//!
//! No crate is used here: the `logfmt` crate (0.0.2, the only crate for this syntax) drops
//! words without `=` and unterminated quotes without an error.

use std::borrow::Cow;

/// The pairs of one message body, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pairs<'a> {
    pairs: Vec<(&'a str, Cow<'a, str>)>,
}

impl<'a> Pairs<'a> {
    /// Returns the value of the first pair named `key`.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(name, _)| *name == key).map(|(_, value)| value.as_ref())
    }

    /// Returns the value of the first of `keys` that the body has.
    pub(super) fn first_of(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|key| self.get(key))
    }

    /// Returns the value of `key` unless it is missing or empty.
    pub(super) fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|value| !value.is_empty())
    }
}

/// Returns the `key=value` body of `line`: the text from the first word that contains `=`,
/// with a `<PRI>` glued to that word removed. A syslog header or relay prefix before it has no
/// `=`, and a quote before the first pair means the line is not a `key=value` body.
pub(super) fn body(line: &str) -> Option<&str> {
    let mut offset = 0;
    for word in line.split(' ') {
        if word.contains('=') {
            let text = &line[offset..];
            return Some(match text.strip_prefix('<').and_then(|rest| rest.split_once('>')) {
                Some((digits, rest)) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => rest,
                _ => text,
            });
        }
        if word.contains('"') {
            return None;
        }
        offset += word.len() + 1;
    }
    None
}

/// Parses a whole body into pairs, or returns a one-sentence error naming the first problem.
pub(super) fn parse_pairs(text: &str) -> Result<Pairs<'_>, String> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos == bytes.len() {
            return Ok(Pairs { pairs });
        }

        let key_start = pos;
        while pos < bytes.len() && !matches!(bytes[pos], b'=' | b'"') && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos == key_start || bytes.get(pos) != Some(&b'=') {
            let word_end = text[key_start..].find(char::is_whitespace).map_or(text.len(), |end| key_start + end);
            return Err(format!("text {:?} is not a key=value pair", &text[key_start..word_end]));
        }
        let key = &text[key_start..pos];
        pos += 1;

        let value = if bytes.get(pos) == Some(&b'"') {
            let (value, end) =
                quoted_value(text, pos + 1).ok_or_else(|| format!("quoted value of {key} has no closing quote"))?;
            pos = end;
            if pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
                return Err(format!("quoted value of {key} is followed by text without a space"));
            }
            value
        } else {
            let value_start = pos;
            while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            Cow::Borrowed(&text[value_start..pos])
        };
        pairs.push((key, value));
    }
}

/// Reads a quoted value whose first character is at `start` (just after the opening quote).
/// Returns the value with its escapes resolved and the position after the closing quote, or
/// `None` when the closing quote is missing.
pub(super) fn quoted_value(text: &str, start: usize) -> Option<(Cow<'_, str>, usize)> {
    let bytes = text.as_bytes();
    let mut pos = start;
    let mut unescaped: Option<String> = None;
    let mut copied_until = start;
    while pos < bytes.len() {
        match bytes[pos] {
            b'"' => {
                let value = match unescaped {
                    Some(mut owned) => {
                        owned.push_str(&text[copied_until..pos]);
                        Cow::Owned(owned)
                    }
                    None => Cow::Borrowed(&text[start..pos]),
                };
                return Some((value, pos + 1));
            }
            b'\\' if matches!(bytes.get(pos + 1), Some(b'"' | b'\\')) => {
                let owned = unescaped.get_or_insert_with(String::new);
                owned.push_str(&text[copied_until..pos]);
                owned.push(char::from(bytes[pos + 1]));
                pos += 2;
                copied_until = pos;
            }
            _ => pos += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_quoted_values() {
        let pairs =
            parse_pairs(r#"date=2019-05-10 logid="0000000013" msg="a b=c, d" empty= last="""#).expect("valid body");
        assert_eq!(pairs.get("date"), Some("2019-05-10"));
        assert_eq!(pairs.get("logid"), Some("0000000013"));
        assert_eq!(pairs.get("msg"), Some("a b=c, d"));
        assert_eq!(pairs.get("empty"), Some(""));
        assert_eq!(pairs.non_empty("empty"), None);
        assert_eq!(pairs.get("last"), Some(""));
        assert_eq!(pairs.get("missing"), None);
    }

    #[test]
    fn escaped_quotes_stay_in_value() {
        let pairs = parse_pairs(r#"cfgattr="comments[->\"web \\ rule\"]" srcip=10.0.0.1"#).expect("valid body");
        assert_eq!(pairs.get("cfgattr"), Some(r#"comments[->"web \ rule"]"#));
        assert_eq!(pairs.get("srcip"), Some("10.0.0.1"));
        let pairs = parse_pairs(r#"path="C:\temp\x""#).expect("valid body");
        assert_eq!(pairs.get("path"), Some(r"C:\temp\x"));
    }

    #[test]
    fn damaged_bodies_are_errors() {
        let error = parse_pairs("time=10: 13:03 devname=x").expect_err("bare word");
        assert!(error.contains("\"13:03\""), "{error}");
        let error = parse_pairs(r#"msg="never closed srcip=1.2.3.4"#).expect_err("open quote");
        assert!(error.contains("msg"), "{error}");
        let error = parse_pairs(r#"msg="\" x"#).expect_err("open quote after escape");
        assert!(error.contains("closing quote"), "{error}");
        assert!(parse_pairs(r#"a="b"c"#).is_err());
        assert!(parse_pairs("=value").is_err());
    }
}
