//! Reading the examiner's Markdown for a narrative section into report blocks.
//!
//! The examiner writes CommonMark (with GitHub tables). pulldown-cmark parses it, and each
//! construct becomes one of the report's blocks: headings become subheadings, paragraphs
//! and code blocks paragraphs, lists bulleted lists, tables tables. Inline markup is reduced
//! to its text (a link keeps its address in brackets), and raw HTML is kept as literal
//! text. The renderers then escape the blocks as they do drafted text, so nothing the
//! examiner writes can become HTML, a script or a link in an export.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Block, Column, Table};

/// Converts the examiner's Markdown to blocks.
pub fn to_blocks(markdown: &str) -> Vec<Block> {
    let mut builder = Builder::default();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        builder.event(event);
    }
    builder.flush_text();
    builder.blocks
}

/// Collects inline text until the block it belongs to ends.
#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    text: String,
    /// Address of each open link or image, appended after its text.
    link_targets: Vec<String>,
    /// Bulleted items of the open list, or `None` outside a list.
    list_items: Option<Vec<String>>,
    /// Number of the next item of each open ordered list.
    ordered_next: Vec<Option<u64>>,
    /// Rows of the open table, the header first.
    table_rows: Option<Vec<Vec<String>>>,
    row: Vec<String>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                self.text.push_str(&text)
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => self.text.push_str(&text),
            Event::FootnoteReference(label) => self.text.push_str(&format!("[{label}]")),
            Event::SoftBreak => self.text.push(' '),
            Event::HardBreak => self.text.push('\n'),
            Event::Rule => {
                self.flush_text();
            }
            Event::TaskListMarker(done) => self.text.push_str(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::List(first) => {
                // A nested list ends the text of the item it belongs to, which becomes a
                // bullet of its own; the nested items follow it, indented.
                if self.in_list() {
                    self.push_item();
                } else {
                    self.flush_text();
                }
                self.ordered_next.push(first);
                self.list_items.get_or_insert_with(Vec::new);
            }
            Tag::Item => {
                self.flush_text();
                let depth = self.ordered_next.len().saturating_sub(1);
                let marker = match self.ordered_next.last_mut() {
                    Some(Some(next)) => {
                        let marker = format!("{next}. ");
                        *next += 1;
                        marker
                    }
                    _ => String::new(),
                };
                self.text.push_str(&"  ".repeat(depth));
                self.text.push_str(&marker);
            }
            Tag::Table(_) => {
                self.flush_text();
                self.table_rows = Some(Vec::new());
            }
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => self.link_targets.push(dest_url.to_string()),
            Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::BlockQuote(_) => {
                if self.table_rows.is_none() && !self.in_list() {
                    self.flush_text();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(level) => {
                let text = self.take_text();
                if !text.is_empty() {
                    let level = if matches!(level, HeadingLevel::H1 | HeadingLevel::H2) { 1 } else { 2 };
                    self.blocks.push(Block::Subheading { level, text: single_line(&text) });
                }
            }
            TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::BlockQuote(_) | TagEnd::HtmlBlock => {
                if !self.in_list() {
                    self.flush_text();
                } else if !self.text.ends_with(' ') {
                    self.text.push(' ');
                }
            }
            TagEnd::Item => self.push_item(),
            TagEnd::List(_) => {
                self.ordered_next.pop();
                if self.ordered_next.is_empty() {
                    if let Some(items) = self.list_items.take().filter(|items| !items.is_empty()) {
                        self.blocks.push(Block::List { items });
                    }
                }
            }
            TagEnd::Link | TagEnd::Image => {
                if let Some(target) = self.link_targets.pop().filter(|target| !target.is_empty()) {
                    self.text.push_str(&format!(" ({target})"));
                }
            }
            TagEnd::TableCell => {
                let cell = self.take_text();
                self.row.push(cell);
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let row = std::mem::take(&mut self.row);
                if let Some(rows) = self.table_rows.as_mut() {
                    rows.push(row);
                }
            }
            TagEnd::Table => {
                let mut rows = self.table_rows.take().unwrap_or_default();
                if !rows.is_empty() {
                    let header = rows.remove(0);
                    let columns = header.into_iter().map(|title| Column { title, monospace: false }).collect();
                    self.blocks.push(Block::Table(Table { columns, rows }));
                }
            }
            _ => {}
        }
    }

    fn in_list(&self) -> bool {
        self.list_items.is_some()
    }

    /// Adds the open item's text to the list, keeping its indentation.
    fn push_item(&mut self) {
        let item = std::mem::take(&mut self.text);
        if let Some(items) = self.list_items.as_mut() {
            if !item.trim().is_empty() {
                items.push(item.trim_end().to_string());
            }
        }
    }

    fn take_text(&mut self) -> String {
        std::mem::take(&mut self.text).trim().to_string()
    }

    /// Ends the open paragraph, if it contains text.
    fn flush_text(&mut self) {
        let text = self.take_text();
        if !text.is_empty() {
            self.blocks.push(Block::Paragraph { text });
        }
    }
}

fn single_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_lists() {
        let blocks =
            to_blocks("# Summary\n\nThe scan *stopped*.\nIt was blocked.\n\n- one\n- two [link](http://x.test)\n");
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert_eq!(blocks[0], Block::Subheading { level: 1, text: "Summary".to_string() });
        assert_eq!(blocks[1], Block::Paragraph { text: "The scan stopped. It was blocked.".to_string() });
        assert_eq!(blocks[2], Block::List { items: vec!["one".to_string(), "two link (http://x.test)".to_string()] });
    }

    #[test]
    fn nested_list_keeps_parent_item() {
        let blocks = to_blocks("- parent\n  - child\n- next\n");
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        assert_eq!(
            blocks[0],
            Block::List { items: vec!["parent".to_string(), "  child".to_string(), "next".to_string()] }
        );
    }

    #[test]
    fn raw_html_stays_literal_text() {
        let blocks = to_blocks("<script>alert(1)</script>\n\nText with <b>bold</b>.\n");
        let text: Vec<String> = blocks
            .iter()
            .map(|block| match block {
                Block::Paragraph { text } => text.clone(),
                other => panic!("unexpected block {other:?}"),
            })
            .collect();
        assert_eq!(text, vec!["<script>alert(1)</script>", "Text with <b>bold</b>."]);
    }

    #[test]
    fn ordered_list_and_table() {
        let blocks = to_blocks("1. first\n2. second\n\n| A | B |\n|---|---|\n| 1 | 2 |\n");
        assert_eq!(blocks[0], Block::List { items: vec!["1. first".to_string(), "2. second".to_string()] });
        let Block::Table(table) = &blocks[1] else { panic!("expected a table: {blocks:?}") };
        assert_eq!(table.columns.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(table.rows, vec![vec!["1".to_string(), "2".to_string()]]);
    }
}
