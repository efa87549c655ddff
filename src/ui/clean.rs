//! The one gate between text from the cluster and the terminal: every frame passes through
//! [`scrub`] before it is written, so no view can forget it. Control characters are already dropped
//! by ratatui; this drops what it lets through: bidi controls (which reorder what follows them, even
//! past the cell they sit in) and zero-width characters (which hide inside words), and it caps the
//! combining marks a cell carries, since terminals keep only a few per cell and some spill the rest
//! into cells of their own, pushing the end of the row (and the frame's border) out of place.
//! Widths are measured per grapheme, as ratatui places them: [`width`], [`graphemes`].

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Combining marks kept on one grapheme: enough for any real script (Vietnamese stacks two).
pub const MAX_MARKS: usize = 3;

/// Bidi controls and zero-width characters that change or hide what a line says without showing.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{061C}'                  // Arabic letter mark
        | '\u{180E}'                // Mongolian vowel separator
        | '\u{200B}'                // zero-width space
        | '\u{200E}' | '\u{200F}'   // left-to-right / right-to-left marks
        | '\u{202A}'..='\u{202E}'   // embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'   // isolates
        | '\u{206A}'..='\u{206F}'   // deprecated format characters
        | '\u{FEFF}'                // zero-width no-break space (BOM)
        | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
    )
}

/// Joiners are hidden too, except inside an emoji sequence (👩‍💻), where they are the point.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

fn is_mark(c: char) -> bool {
    // Combining diacritical marks and their supplements, extended and for symbols; variation selectors.
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// One grapheme made safe: hidden characters out, joiners only between emoji, marks capped.
fn clean_grapheme(g: &str) -> Cow<'_, str> {
    let emoji = g
        .chars()
        .any(|c| c as u32 >= 0x1F000 || ('\u{2600}'..='\u{27BF}').contains(&c));
    let mut marks = 0;
    let keep = |c: char, marks: &mut usize| {
        if is_hidden(c) || (is_joiner(c) && !emoji) {
            return false;
        }
        if is_mark(c) {
            *marks += 1;
            return *marks <= MAX_MARKS;
        }
        true
    };
    let mut probe = 0;
    if g.chars().all(|c| keep(c, &mut probe)) {
        return Cow::Borrowed(g);
    }
    Cow::Owned(g.chars().filter(|&c| keep(c, &mut marks)).collect())
}

/// `text` as it may reach the terminal (see the module doc).
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut at = 0;
    for (i, g) in text.grapheme_indices(true) {
        match (clean_grapheme(g), &mut out) {
            (Cow::Borrowed(_), None) => {}
            (Cow::Owned(c), None) => {
                let mut s = String::with_capacity(text.len());
                s.push_str(&text[..i]);
                s.push_str(&c);
                out = Some(s);
            }
            (c, Some(s)) => s.push_str(&c),
        }
        at = i + g.len();
    }
    debug_assert_eq!(at, text.len());
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Clean every cell of a drawn frame: the gate every view's text passes through.
pub fn scrub(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if sym.is_ascii() {
            continue;
        }
        if let Cow::Owned(c) = clean(sym) {
            // A cell of nothing but hidden characters shows as a blank, as it would have.
            cell.set_symbol(if c.is_empty() { " " } else { &c });
        }
    }
}

/// The graphemes of `text` with the cells each takes (0 for one ratatui would append to its neighbour).
pub fn graphemes(text: &str) -> impl Iterator<Item = (&str, usize)> {
    text.graphemes(true).map(|g| {
        let w = if g.len() == 1 {
            usize::from(!g.as_bytes()[0].is_ascii_control())
        } else {
            g.width()
        };
        (g, w)
    })
}

/// The cells `text` takes on screen.
pub fn width(text: &str) -> usize {
    if text.is_ascii() {
        return text.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    graphemes(text).map(|(_, w)| w).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_zero_width_go_joined_emoji_and_accents_stay() {
        assert_eq!(
            clean("a\u{202E}evil\u{202C}\u{200B}x\u{2066}y\u{2069}\u{FEFF}"),
            "aevilxy"
        );
        assert_eq!(
            clean("e\u{301} caf\u{e9} 👩\u{200D}💻 日本"),
            "e\u{301} caf\u{e9} 👩\u{200D}💻 日本"
        );
        assert_eq!(clean("a\u{200D}b"), "ab");
        let zalgo = format!("😀{}", "\u{301}".repeat(800));
        assert_eq!(clean(&zalgo), format!("😀{}", "\u{301}".repeat(MAX_MARKS)));
        assert!(matches!(clean("plain ascii"), Cow::Borrowed(_)));
    }

    #[test]
    fn width_is_per_grapheme() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("日本"), 4);
        assert_eq!(width(&"😀\u{301}".repeat(800)), 1600);
        assert_eq!(width("e\u{301}"), 1);
    }
}
