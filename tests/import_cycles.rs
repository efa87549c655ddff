//! No import cycle between the files of `src/`: each file's `use` and `crate::`/`super::` paths are
//! resolved to the file that holds the module, and that graph must have no strongly connected
//! component of two files or more. A cycle between files is what keeps a module from moving into
//! its own crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

/// A module path: `["app", "logs", "keys"]`; the crate root is empty.
type Module = Vec<String>;

/// Every module file of the library, without test modules (they may import what they test).
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            modules(&path, &[prefix, &[name]].concat(), out);
            continue;
        }
        let Some(stem) = name.strip_suffix(".rs") else { continue };
        if stem == "main" || stem == "tests" || stem == "test_util" || stem.ends_with("_tests") {
            continue;
        }
        let module = match stem {
            "mod" => prefix.to_vec(),
            "lib" if prefix.is_empty() => Vec::new(),
            _ => [prefix, &[stem.to_string()]].concat(),
        };
        out.insert(
            module,
            std::fs::read_to_string(&path).expect("a source file is readable"),
        );
    }
}

/// The source without comments and without its `#[cfg(test)] mod …` and what follows it.
fn code(text: &str) -> String {
    let comment = Regex::new(r"//[^\n]*").unwrap();
    let text = comment.replace_all(text, "");
    let tests = Regex::new(r"#\[cfg\(test\)\]\s*(#\[[^\]]*\]\s*)*mod\s").unwrap();
    match tests.find(&text) {
        Some(m) => text[..m.start()].to_string(),
        None => text.to_string(),
    }
}

/// The paths a use tree names: `a::{b, c::{d as e}}` → `a::b`, `a::c::d`.
fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let prefix = [prefix, &head].concat();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let (mut depth, mut start) = (0, 0);
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&prefix, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&prefix, &inner[start..], out);
        return;
    }
    let path = tree.split(" as ").next().unwrap_or("");
    let segs: Vec<String> = path
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if !segs.is_empty() {
        out.push([prefix, &segs].concat());
    }
}

/// `path` as seen from `module`, made absolute; None for paths into other crates.
fn absolute(module: &Module, path: &[String], files: &BTreeMap<Module, String>) -> Option<Module> {
    let mut cur = module.clone();
    let mut rest = path;
    match rest.first()?.as_str() {
        "crate" => return Some(rest[1..].to_vec()),
        "self" => rest = &rest[1..],
        "super" => {
            while rest.first().is_some_and(|s| s == "super") {
                cur.pop();
                rest = &rest[1..];
            }
        }
        // A child module named without `self::`.
        first if files.contains_key(&[module.as_slice(), &[first.to_string()]].concat()) => {}
        _ => return None,
    }
    Some([cur.as_slice(), rest].concat())
}

/// Which files each file imports from.
fn graph(files: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    // Re-exports (`pub use`) are not dependencies of the re-exporting file's own code.
    let uses = Regex::new(r"(?m)^\s*(pub(\([^)]*\))?\s+)?use\s+([\w:{}\s,*]+);").unwrap();
    let inline = Regex::new(r"(?:^|[^\w:])((?:crate|super)(?:::\w+)+)").unwrap();
    let mut edges = BTreeMap::new();
    for (module, text) in files {
        let code = code(text);
        let mut paths = Vec::new();
        for c in uses.captures_iter(&code) {
            if c.get(1).is_none() {
                expand(&[], &c[3], &mut paths);
            }
        }
        for c in inline.captures_iter(&code) {
            paths.push(c[1].split("::").map(String::from).collect());
        }
        let targets: &mut BTreeSet<Module> = edges.entry(module.clone()).or_default();
        for path in paths {
            let Some(abs) = absolute(module, &path, files) else {
                continue;
            };
            // The deepest module that is a file holds the item.
            let target = (0..=abs.len())
                .rev()
                .map(|n| abs[..n].to_vec())
                .find(|m| files.contains_key(m));
            if let Some(t) = target.filter(|t| t != module) {
                targets.insert(t);
            }
        }
    }
    edges
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<BTreeSet<Module>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, (usize, usize)>,
        stack: Vec<&'a Module>,
        found: Vec<BTreeSet<Module>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a Module) {
        let n = w.index.len();
        w.index.insert(v, (n, n));
        w.stack.push(v);
        let edges = w.edges;
        for t in edges.get(v).into_iter().flatten() {
            let low = match w.index.get(t) {
                None => {
                    visit(w, t);
                    w.index[t].1
                }
                Some(&(i, _)) if w.stack.contains(&t) => i,
                Some(_) => continue,
            };
            let e = w.index.get_mut(v).unwrap();
            e.1 = e.1.min(low);
        }
        let (i, low) = w.index[v];
        if i == low {
            let at = w.stack.iter().position(|m| *m == v).unwrap();
            let comp: BTreeSet<Module> = w.stack.drain(at..).cloned().collect();
            if comp.len() > 1 {
                w.found.push(comp);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v) {
            visit(&mut w, v);
        }
    }
    w.found
}

fn name(m: &Module) -> String {
    m.join("::")
}

#[test]
fn no_import_cycle_between_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    // The app, and each library crate of the workspace on its own (crates cannot import in a cycle).
    for dir in ["src", "model/src", "sim/src"] {
        let mut files = BTreeMap::new();
        modules(&root.join(dir), &[], &mut files);
        assert!(files.len() > 5, "found only {} source files in {dir}", files.len());
        found.extend(cycles_in(&files));
    }
    assert!(found.is_empty(), "import cycles between files:\n{}", found.join("\n"));
}

/// Each cycle among `files`, as its arrows.
fn cycles_in(files: &BTreeMap<Module, String>) -> Vec<String> {
    let edges = graph(files);
    let mut found = Vec::new();
    for comp in cycles(&edges) {
        let arrows: Vec<String> = comp
            .iter()
            .flat_map(|a| {
                edges[a]
                    .iter()
                    .filter(|b| comp.contains(*b))
                    .map(move |b| format!("{} -> {}", name(a), name(b)))
            })
            .collect();
        found.push(arrows.join(", "));
    }
    found
}

#[test]
fn the_graph_sees_a_cycle() {
    let files: BTreeMap<Module, String> = [
        (vec!["a".to_string()], "use crate::b::{X, y::Z};\n".to_string()),
        (vec!["b".to_string()], "fn f() { super::a::g() }\n".to_string()),
        (
            vec!["c".to_string()],
            "pub use crate::a::X; // use crate::b;\n".to_string(),
        ),
    ]
    .into();
    let found = cycles(&graph(&files));
    let names: Vec<Vec<String>> = found.iter().map(|c| c.iter().map(name).collect()).collect();
    assert_eq!(names, [["a", "b"]]);
}
