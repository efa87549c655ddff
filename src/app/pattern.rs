//! Patterns the user types (the table filter, the log view's search and include/exclude filters):
//! one compiler, so that every input keeps the text as typed (spaces included) and says when the
//! text is not a valid regex and what is matched instead.

use regex::{Regex, RegexBuilder};

/// How letter case counts in a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Always case-insensitive (the table filter, as k9s).
    Ignore,
    /// Case-insensitive unless the text has an upper-case letter (the log view, as less and vim).
    Smart,
}

/// A compiled pattern; `note` says so when the text was not a valid regex and is matched as plain text.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// What is matched.
    pub re: Regex,
    /// Why the text was taken as plain text, for the user.
    pub note: Option<String>,
}

/// Regexes bigger than this (compiled) are refused: a pattern is typed, not generated.
const SIZE_LIMIT: usize = 1 << 20;

/// Compile `text` exactly as typed; the error says in one line why it is not a valid regex.
pub fn compile(text: &str, case: Case) -> Result<Regex, String> {
    let ignore = case == Case::Ignore || !text.chars().any(char::is_uppercase);
    RegexBuilder::new(text)
        .case_insensitive(ignore)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| format!("not a valid regex ({})", reason(&e)))
}

/// Compile `text` as typed, and a text that is not a valid regex as plain text, with a note saying
/// so and why (for a filter that follows each key typed, where a half-typed `[` is common).
pub fn compile_or_text(text: &str, case: Case) -> Result<Pattern, String> {
    match compile(text, case) {
        Ok(re) => Ok(Pattern { re, note: None }),
        Err(why) => {
            let re = compile(&regex::escape(text), case)?;
            Ok(Pattern {
                re,
                note: Some(format!("{why}: matched as plain text")),
            })
        }
    }
}

/// The one line of a regex error that says what is wrong (the crate's message also draws the pattern
/// with a caret over several lines, which a one-line toast cannot show).
fn reason(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => s
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or(s.lines().last().unwrap_or_default())
            .to_string(),
        regex::Error::CompiledTooBig(limit) => format!("larger than {limit} bytes compiled"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Case, compile, compile_or_text};

    #[test]
    fn spaces_count_and_an_invalid_regex_is_plain_text_with_a_reason() {
        let re = compile(" 500 ", Case::Smart).unwrap();
        assert!(re.is_match("GET / 500 12ms") && !re.is_match("took 15000ms"));
        assert!(compile_or_text(" 500 ", Case::Smart).unwrap().note.is_none());
        assert_eq!(
            compile("[abc", Case::Smart).unwrap_err(),
            "not a valid regex (unclosed character class)"
        );
        let p = compile_or_text("[abc", Case::Ignore).unwrap();
        assert_eq!(
            p.note.as_deref(),
            Some("not a valid regex (unclosed character class): matched as plain text")
        );
        assert!(p.re.is_match("x[ABC]") && !p.re.is_match("b"));
        // Smart case: an upper-case letter makes the search exact.
        assert!(!compile("Err", Case::Smart).unwrap().is_match("error"));
        assert!(compile("Err", Case::Ignore).unwrap().is_match("error"));
        let big = compile_or_text("a{1000}{1000}", Case::Smart).unwrap();
        assert!(
            big.note.unwrap().contains("larger than"),
            "too big a regex is plain text too"
        );
    }
}
