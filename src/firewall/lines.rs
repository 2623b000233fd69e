//! Line-by-line reading of text logs in bounded memory.
//!
//! A *line* ends at `\n`, `\r\n`, a lone `\r` or the end of the file, so LF, CRLF and old
//! Mac OS (CR) line ends read alike, also when one file mixes them. These are the line ends of
//! Python's universal newlines mode. A lone `\r` counts as a line end because a log written
//! with CR line ends would otherwise be one line, with every record after the first glued
//! into it. Each line carries its 1-based number and the byte offset of its first byte.
//!
//! At most [`MAX_LINE_BYTES`] of a line are kept. The rest is read and discarded and the line
//! is marked truncated, so a file without line ends cannot exhaust memory.

use std::io::{self, BufRead};

/// Maximum number of bytes kept of one line. A netfilter LOG message is far shorter: the kernel
/// source (`nf_log_syslog.c`) puts the maximum IPv4 packet dump, quoted packet included, at 803
/// bytes, so 64 KiB leaves ample room for the rule's prefix and the syslog header.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One line of the file, borrowed from the reader's buffer.
#[derive(Debug)]
pub(super) struct Line<'a> {
    /// 1-based line number.
    pub number: u64,
    /// Offset of the line's first byte in the file.
    pub byte_offset: u64,
    /// The line without its line ending, cut at [`MAX_LINE_BYTES`].
    pub bytes: &'a [u8],
    /// Length of the whole line in the file, line ending included.
    pub length: u64,
    /// True when the line was longer than [`MAX_LINE_BYTES`] and `bytes` contains only its start.
    pub is_truncated: bool,
}

/// An I/O error met while reading the given line.
#[derive(Debug)]
pub(super) struct LineReadError {
    pub line: u64,
    pub source: io::Error,
}

/// Reads lines from a buffered reader. A line that lies whole in the reader's buffer is
/// returned from that buffer without a copy. Other lines are gathered in one reused buffer.
pub(super) struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Bytes of the reader's buffer that the last line returned still borrows; they are
    /// consumed when the next line is read.
    unconsumed: usize,
    next_offset: u64,
    next_number: u64,
}

impl<R: BufRead> LineReader<R> {
    /// Creates a reader positioned at the start of the file.
    pub(super) fn new(reader: R) -> Self {
        Self { reader, buffer: Vec::new(), unconsumed: 0, next_offset: 0, next_number: 1 }
    }

    /// Reads the next line, or returns `None` at the end of the file.
    pub(super) fn next_line(&mut self) -> Result<Option<Line<'_>>, LineReadError> {
        self.reader.consume(std::mem::take(&mut self.unconsumed));
        let number = self.next_number;
        let available = fill_buffer(&mut self.reader, number)?;
        if available.is_empty() {
            return Ok(None);
        }
        let Some((end, length)) = whole_line(available) else {
            return self.gather_line(number);
        };
        // The buffer still holds the line, so this call returns it without reading.
        let available = self.reader.fill_buf().map_err(|source| LineReadError { line: number, source })?;
        let byte_offset = self.next_offset;
        self.next_offset += length as u64;
        self.next_number += 1;
        self.unconsumed = length;
        Ok(Some(Line { number, byte_offset, bytes: &available[..end], length: length as u64, is_truncated: false }))
    }

    /// Reads a line that does not lie whole in the reader's buffer, piece by piece.
    fn gather_line(&mut self, number: u64) -> Result<Option<Line<'_>>, LineReadError> {
        self.buffer.clear();
        let mut length: u64 = 0;
        let mut is_truncated = false;
        loop {
            let available = fill_buffer(&mut self.reader, number)?;
            if available.is_empty() {
                break;
            }
            let line_end = memchr::memchr2(b'\n', b'\r', available);
            let chunk_len = line_end.map_or(available.len(), |index| index + 1);
            let ends_with_cr = line_end.is_some_and(|index| available[index] == b'\r');
            let room = MAX_LINE_BYTES.saturating_sub(self.buffer.len());
            let kept = chunk_len.min(room);
            self.buffer.extend_from_slice(&available[..kept]);
            is_truncated |= kept < chunk_len;
            self.reader.consume(chunk_len);
            length += chunk_len as u64;
            if ends_with_cr {
                // The `\n` of a CRLF may start the next buffer.
                if fill_buffer(&mut self.reader, number)?.first() == Some(&b'\n') {
                    self.reader.consume(1);
                    length += 1;
                }
                break;
            }
            if line_end.is_some() {
                break;
            }
        }
        if length == 0 {
            return Ok(None);
        }

        let byte_offset = self.next_offset;
        self.next_offset += length;
        self.next_number += 1;
        let mut bytes = self.buffer.as_slice();
        if let Some(stripped) = bytes.strip_suffix(b"\n") {
            bytes = stripped;
        }
        if let Some(stripped) = bytes.strip_suffix(b"\r") {
            bytes = stripped;
        }
        Ok(Some(Line { number, byte_offset, bytes, length, is_truncated }))
    }
}

/// Returns true when `text` is empty or only white space (Unicode `White_Space`, as
/// [`str::trim`] reads it). The first byte decides for nearly every line.
pub(super) fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(&byte) if is_ascii_text(byte) => false,
        _ => text.trim().is_empty(),
    }
}

/// Returns `text` without leading and trailing white space, as [`str::trim`] does. Trailing
/// ASCII spaces, such as the one between a netfilter prefix and `IN=`, are cut first. The text
/// is then returned as it is when its first and last bytes are ASCII and not white space.
pub(super) fn trim_white_space(text: &str) -> &str {
    let mut end = text.len();
    while end > 0 && text.as_bytes()[end - 1] == b' ' {
        end -= 1;
    }
    let text = &text[..end];
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(&first), Some(&last)) if is_ascii_text(first) && is_ascii_text(last) => text,
        _ => text.trim(),
    }
}

/// Returns true when `byte` is an ASCII character other than white space.
fn is_ascii_text(byte: u8) -> bool {
    byte.is_ascii() && !char::from(byte).is_whitespace()
}

/// Finds a line that lies whole, line end included, at the start of `available` and is shorter
/// than [`MAX_LINE_BYTES`]. Returns the length of its text and its length with the line end.
/// A CR at the end of `available` may be the first half of a CRLF, so that line is not whole.
fn whole_line(available: &[u8]) -> Option<(usize, usize)> {
    let end = memchr::memchr2(b'\n', b'\r', available)?;
    if end >= MAX_LINE_BYTES {
        return None;
    }
    let ending = match (available[end], available.get(end + 1)) {
        (b'\n', _) => 1,
        (_, Some(b'\n')) => 2,
        (_, Some(_)) => 1,
        (_, None) => return None,
    };
    Some((end, end + ending))
}

/// Returns the reader's buffered bytes, reading more when the buffer is empty. An empty slice
/// means the end of the file.
fn fill_buffer<R: BufRead>(reader: &mut R, line: u64) -> Result<&[u8], LineReadError> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(LineReadError { line, source }),
        }
    }
    // The call above filled the buffer or met the end of the file, so this call returns
    // that buffer, or reads nothing again at the end of the file.
    reader.fill_buf().map_err(|source| LineReadError { line, source })
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    /// Reads every line of `bytes` through a buffer of `capacity` bytes.
    fn read_all(bytes: &[u8], capacity: usize) -> Vec<(u64, u64, Vec<u8>)> {
        let mut reader = LineReader::new(BufReader::with_capacity(capacity, bytes));
        let mut lines = Vec::new();
        while let Some(line) = reader.next_line().expect("read") {
            lines.push((line.number, line.byte_offset, line.bytes.to_vec()));
        }
        lines
    }

    /// Texts with white space of each kind (ASCII, vertical tab, next line, no-break space,
    /// line separator, ideographic space) before and after them.
    fn spaced_texts() -> Vec<String> {
        let spaces = ["", " ", "  ", "\t", "\x0b", "\u{85}", "\u{a0}", "\u{2028}", "\u{3000}"];
        let cores = ["", "x", "IPT-IN", "[UFW BLOCK]", "é", "a b", "\u{a0}x"];
        let mut texts = Vec::new();
        for lead in spaces {
            for core in cores {
                for trail in spaces {
                    texts.push(format!("{lead}{core}{trail}"));
                }
            }
        }
        texts
    }

    #[test]
    fn blank_as_trim_reads_it() {
        for text in spaced_texts() {
            assert_eq!(is_blank(&text), text.trim().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn white_space_trimmed_as_trim() {
        for text in spaced_texts() {
            assert_eq!(trim_white_space(&text), text.trim(), "{text:?}");
        }
    }

    /// Every line of the log fixtures (gzip files read as bytes), and its first part up to each
    /// space, trims and reads as blank or not as `str::trim` does.
    #[test]
    fn fixture_lines_trimmed_as_trim() {
        let mut pending = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fwlog")];
        let mut checked = 0;
        while let Some(path) = pending.pop() {
            if path.is_dir() {
                pending.extend(std::fs::read_dir(&path).expect("folder").map(|entry| entry.expect("entry").path()));
                continue;
            }
            let bytes = std::fs::read(&path).expect("log");
            for line in String::from_utf8_lossy(&bytes).lines() {
                let ends = line.match_indices(' ').map(|(at, _)| at + 1).chain([line.len()]);
                for end in ends {
                    let part = &line[..end];
                    assert_eq!(trim_white_space(part), part.trim(), "{part:?}");
                    assert_eq!(is_blank(part), part.trim().is_empty(), "{part:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "{checked} texts checked");
    }

    #[test]
    fn lf_crlf_and_cr_end_lines() {
        let input = b"one\ntwo\r\nthree\rfour\r\rsix";
        let expected: Vec<(u64, u64, Vec<u8>)> = vec![
            (1, 0, b"one".to_vec()),
            (2, 4, b"two".to_vec()),
            (3, 9, b"three".to_vec()),
            (4, 15, b"four".to_vec()),
            (5, 20, b"".to_vec()),
            (6, 21, b"six".to_vec()),
        ];
        // Buffers of every size from 1 byte put the CR and LF of a CRLF in separate reads.
        for capacity in 1..=input.len() + 1 {
            assert_eq!(read_all(input, capacity), expected, "buffer of {capacity} bytes");
        }
    }

    #[test]
    fn cr_at_end_of_file() {
        assert_eq!(read_all(b"last\r", 2), vec![(1, 0, b"last".to_vec())]);
    }

    #[test]
    fn long_line_is_cut() {
        let mut input = vec![b'a'; MAX_LINE_BYTES + 10];
        input.extend_from_slice(b"\r\nnext");
        let mut reader = LineReader::new(BufReader::with_capacity(4096, input.as_slice()));
        let line = reader.next_line().expect("read").expect("first line");
        assert!(line.is_truncated);
        assert_eq!(line.bytes.len(), MAX_LINE_BYTES);
        assert_eq!(line.length, MAX_LINE_BYTES as u64 + 12);
        let next = reader.next_line().expect("read").expect("second line");
        assert_eq!((next.number, next.bytes), (2, &b"next"[..]));
    }
}
