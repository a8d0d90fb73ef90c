//! Where things are, as a user counts: 1-based lines and columns.
//!
//! A line ends at `\n`, at `\r\n`, or at a lone `\r` (an old Mac's files): the same three
//! endings the CSV parser accepts, so a decoding error and a CSV row agree on line numbers.

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub line: u64,
    pub column: u64,
}

/// Counts line endings.
#[derive(Debug)]
pub(crate) struct LineCounter;

impl LineCounter {
    /// The place just after `text`: where the next character would be.
    pub fn place_after(text: &str) -> Place {
        let bytes = text.as_bytes();
        let mut line = 1u64;
        let mut line_start = 0usize;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    line += 1;
                    line_start = i + 1;
                }
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                    line += 1;
                    line_start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        let column = text[line_start..].chars().count() as u64 + 1;
        Place { line, column }
    }
}

/// Maps byte offsets of one text to line numbers, for offsets asked in increasing order.
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    bytes: &'a [u8],
    /// The offset up to which line endings have been counted.
    scanned: usize,
    /// The line that `scanned` is on.
    line: u64,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        LineIndex {
            bytes: text,
            scanned: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset`. Offsets must not decrease between calls (a smaller
    /// one starts the count again from the beginning).
    pub fn line_of(&mut self, offset: usize) -> u64 {
        if offset < self.scanned {
            self.scanned = 0;
            self.line = 1;
        }
        let end = offset.min(self.bytes.len());
        let bytes = self.bytes;
        let mut line = self.line;
        for (i, &b) in bytes[self.scanned..end].iter().enumerate() {
            let at = self.scanned + i;
            if b == b'\n' || (b == b'\r' && bytes.get(at + 1) != Some(&b'\n')) {
                line += 1;
            }
        }
        self.line = line;
        self.scanned = end;
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        assert_eq!(LineCounter::place_after(""), Place { line: 1, column: 1 });
        assert_eq!(LineCounter::place_after("ab"), Place { line: 1, column: 3 });
        assert_eq!(
            LineCounter::place_after("a\r\nжё"),
            Place { line: 2, column: 3 }
        );
        assert_eq!(
            LineCounter::place_after("a\rb\nc"),
            Place { line: 3, column: 2 }
        );
        // A CR at the very end is a line ending whatever follows it.
        assert_eq!(
            LineCounter::place_after("a\r"),
            Place { line: 2, column: 1 }
        );
    }

    #[test]
    fn line_index() {
        let text = b"a\r\nb\nc\rd\r\n\r\ne";
        let mut index = LineIndex::new(text);
        assert_eq!(index.line_of(0), 1);
        assert_eq!(index.line_of(3), 2);
        assert_eq!(index.line_of(5), 3);
        assert_eq!(index.line_of(7), 4);
        assert_eq!(index.line_of(13), 6);
        assert_eq!(index.line_of(2), 1);
        assert_eq!(index.line_of(100), 6);
    }
}
