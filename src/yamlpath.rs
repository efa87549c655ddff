//! Where in a YAML document a line sits, as a field path ("contexts[1].context.cluster"), so that an
//! error about a file can name the field and not only the line.

/// The field path of the key on 1-based `line` of `text` (or of the innermost key open there), found
/// by indentation: less-indented keys above are parents, and `- ` items add their index.
pub fn field_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let last = line.checked_sub(1).filter(|&i| i < lines.len())?;
    let mut stack: Vec<Frame> = Vec::new();
    for raw in &lines[..=last] {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
            continue;
        }
        let mut col = raw.len() - trimmed.len();
        let mut rest = trimmed;
        if let Some(r) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
            stack.retain(|f| f.col() <= col);
            match stack.last_mut() {
                Some(Frame::Item { col: c, index }) if *c == col => *index += 1,
                _ => stack.push(Frame::Item { col, index: 0 }),
            }
            let after = r.trim_start();
            col += rest.len() - after.len();
            rest = after;
        }
        if let Some(name) = key_name(rest) {
            stack.retain(|f| match f {
                Frame::Key { col: c, .. } => *c < col,
                Frame::Item { col: c, .. } => *c < col,
            });
            stack.push(Frame::Key { col, name });
        }
    }
    let mut out = String::new();
    for f in &stack {
        match f {
            Frame::Key { name, .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Frame::Item { index, .. } => out.push_str(&format!("[{index}]")),
        }
    }
    (!out.is_empty()).then_some(out)
}

enum Frame {
    Key { col: usize, name: String },
    Item { col: usize, index: usize },
}

impl Frame {
    fn col(&self) -> usize {
        match self {
            Frame::Key { col, .. } | Frame::Item { col, .. } => *col,
        }
    }
}

/// The key of `key: value` (quotes removed), if the text starts with one.
fn key_name(rest: &str) -> Option<String> {
    let (name, _) = rest
        .split_once(": ")
        .or_else(|| rest.strip_suffix(':').map(|n| (n, "")))?;
    let name = name.trim();
    let unquoted = name.trim_matches(|c| c == '"' || c == '\'');
    let quoted = unquoted.len() + 2 == name.len();
    if unquoted.is_empty() || (!quoted && (name.contains(' ') || name.starts_with(['{', '[', '"', '\'']))) {
        return None;
    }
    Some(unquoted.to_string())
}

#[cfg(test)]
mod tests {
    use super::field_at;

    const DOC: &str = "apiVersion: v1
clusters:
- name: c1
  cluster:
    server: x
- name: c2
  cluster:
    server: y
    insecure: maybe
contexts:
  - name: a
    context: [1, 2]
";

    #[test]
    fn paths_name_list_items_and_nested_keys() {
        assert_eq!(field_at(DOC, 1).as_deref(), Some("apiVersion"));
        assert_eq!(field_at(DOC, 5).as_deref(), Some("clusters[0].cluster.server"));
        assert_eq!(field_at(DOC, 9).as_deref(), Some("clusters[1].cluster.insecure"));
        assert_eq!(field_at(DOC, 6).as_deref(), Some("clusters[1].name"));
        assert_eq!(field_at(DOC, 12).as_deref(), Some("contexts[0].context"));
        assert_eq!(field_at(DOC, 99), None);
    }
}
