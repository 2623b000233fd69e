//! Line-by-line reading of text logs in bounded memory.
//!
//! A *line* ends at `\n` or at the end of the file. A `\r` before the `\n` is removed, so CRLF
//! files read like LF files. Each line carries its 1-based number and the byte offset of its
//! first byte. At most [`MAX_LINE_BYTES`] of a line are kept. The rest is read and discarded and
//! the line is marked truncated, so a file without newlines cannot exhaust memory.

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

/// Reads lines from a buffered reader, reusing one buffer.
pub(super) struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
    next_offset: u64,
    next_number: u64,
}

impl<R: BufRead> LineReader<R> {
    /// Creates a reader positioned at the start of the file.
    pub(super) fn new(reader: R) -> Self {
        Self { reader, buffer: Vec::new(), next_offset: 0, next_number: 1 }
    }

    /// Reads the next line, or returns `None` at the end of the file.
    pub(super) fn next_line(&mut self) -> Result<Option<Line<'_>>, LineReadError> {
        self.buffer.clear();
        let number = self.next_number;
        let mut length: u64 = 0;
        let mut is_truncated = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(LineReadError { line: number, source }),
            };
            if available.is_empty() {
                break;
            }
            let newline = available.iter().position(|&byte| byte == b'\n');
            let chunk_len = newline.map_or(available.len(), |index| index + 1);
            let room = MAX_LINE_BYTES.saturating_sub(self.buffer.len());
            let kept = chunk_len.min(room);
            self.buffer.extend_from_slice(&available[..kept]);
            is_truncated |= kept < chunk_len;
            self.reader.consume(chunk_len);
            length += chunk_len as u64;
            if newline.is_some() {
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
