//! `:exec CMD`: run a command without a TTY in the pod or container under the cursor (as
//! `kubectl exec POD [-c CONTAINER] -- CMD`) and show what it printed, and its exit code, in a
//! document: scrolled and searched like describe.

use super::effect::Effect;
use super::state::{State, View, ViewKind};
use super::text::{Body, Doc, Target};
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;

/// Split a command line into words as a POSIX shell does for plain words: whitespace separates,
/// `'…'` keeps everything, `"…"` keeps everything but `\"` and `\\`; Err names an open quote.
pub fn words(line: &str) -> Result<Vec<String>, String> {
    let (mut out, mut word, mut quote, mut any) = (Vec::new(), String::new(), None::<char>, false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                any = true;
            }
            (_, c) => (word, any) = (word + &c.to_string(), true),
        }
    }
    if let Some(q) = quote {
        return Err(format!("exec: the {q} quote is not closed"));
    }
    if any {
        out.push(word);
    }
    Ok(out)
}

/// The pod (and container) of the row under the cursor, for exec: a pod row, or a container row
/// of a pod still there.
fn target(state: &State) -> Option<(ObjRef, Option<String>)> {
    let view = state.top();
    let row = view.table.current()?;
    match &view.kind {
        ViewKind::Resource(Kind::Pod) => Some((ObjRef::new(Kind::Pod, &row.namespace, &row.name), None)),
        ViewKind::Containers { namespace, pod } if !view.pod_gone() => {
            Some((ObjRef::new(Kind::Pod, namespace, pod), Some(row.name.to_string())))
        }
        _ => None,
    }
}

/// `:exec` with the rest of the line: refused in read-only sessions (an exec is a `create` on
/// `pods/exec`), refused with words off a pod or container row; else a document waits for the output.
pub fn start(state: &mut State, rest: &str) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(super::workload::readonly_refusal("exec"), true);
        return vec![];
    }
    let command = match words(rest) {
        Ok(w) if w.is_empty() => {
            state.toast("exec: which command? type :exec CMD (e.g. :exec ls -l /)", true);
            return vec![];
        }
        Ok(w) => w,
        Err(e) => {
            state.toast(e, true);
            return vec![];
        }
    };
    let Some((pod, container)) = target(state) else {
        state.toast(
            "exec runs on a pod or container row: open pods (:po) and put the cursor on one",
            true,
        );
        return vec![];
    };
    let title = exec_title(&pod, container.as_deref(), &command);
    let mut doc = Doc::loading(Target {
        kind: Kind::Pod,
        namespace: pod.namespace.clone(),
        name: pod.name.clone(),
        describe: true,
    });
    doc.title = Some(title.clone());
    state.stack.push(View::new(ViewKind::Doc(Box::new(doc))));
    vec![Effect::Exec {
        pod,
        container,
        command,
        title,
    }]
}

/// "exec shop/web-1 [app]: ls -l /".
fn exec_title(pod: &ObjRef, container: Option<&str>, command: &[String]) -> String {
    let c = container.map(|c| format!(" [{c}]")).unwrap_or_default();
    format!("exec {}/{}{c}: {}", pod.namespace, pod.name, command.join(" "))
}

/// Fill the (still open) exec document titled `title` with the output, or the failure in words.
pub fn finished(state: &mut State, title: &str, result: Result<Vec<String>, String>) {
    let doc = state.stack.iter_mut().rev().find_map(|v| match &mut v.kind {
        ViewKind::Doc(d) if d.title.as_deref() == Some(title) && d.body == Body::Loading => Some(d),
        _ => None,
    });
    if let Some(doc) = doc {
        doc.set_body(match result {
            Ok(lines) => Body::Output(lines),
            Err(e) => Body::Failed(e),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update::run_command;
    use crate::app::{Input, update};
    use crate::cluster::Scope;
    use crate::cluster::watch::WatchStatus;
    use crate::test_util;

    fn pods(readonly: bool) -> State {
        let mut s = test_util::connected("demo", "shop", readonly);
        let rows = crate::screens::lists::sample_rows("web", "shop", 2);
        test_util::show(
            &mut s,
            Kind::Pod,
            Scope::Namespace("shop".into()),
            rows,
            WatchStatus::Ready,
        );
        s
    }

    #[test]
    fn words_split_as_a_shell_splits_plain_words() {
        assert_eq!(words(" ls  -l /").unwrap(), ["ls", "-l", "/"]);
        assert_eq!(
            words(r#"sh -c 'echo a; exit 3' "x y" a\ b """#).unwrap(),
            ["sh", "-c", "echo a; exit 3", "x y", "a b", ""]
        );
        assert_eq!(words("echo 'open").unwrap_err(), "exec: the ' quote is not closed");
    }

    #[test]
    fn exec_on_a_pod_row_opens_a_document_the_output_fills() {
        let mut s = pods(false);
        let effects = run_command(&mut s, "exec ls -l /");
        let title = "exec shop/web-0: ls -l /".to_string();
        // While it runs, `y` does not swap the output for the pod's YAML.
        let y = update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Char('y')));
        assert!(y.is_empty() && matches!(&s.top().kind, ViewKind::Doc(d) if d.body == Body::Loading));
        assert_eq!(
            effects,
            [Effect::Exec {
                pod: ObjRef::new(Kind::Pod, "shop", "web-0"),
                container: None,
                command: vec!["ls".into(), "-l".into(), "/".into()],
                title: title.clone(),
            }]
        );
        let out = test_util::text(&test_util::draw(&s, 100, 12, 0));
        assert!(out.contains(&title), "{out}");
        let lines = vec!["bin".into(), "etc".into(), "".into(), "exit code 0".into()];
        update(
            &mut s,
            Input::ExecOutput {
                title: title.clone(),
                result: Ok(lines.clone()),
            },
        );
        let ViewKind::Doc(d) = &s.top().kind else { panic!() };
        assert_eq!(d.body, Body::Output(lines));
        let out = test_util::text(&test_util::draw(&s, 100, 12, 0));
        assert!(out.contains("etc") && out.contains("exit code 0"), "{out}");
        // Searchable as any document; not the pod's describe or YAML.
        test_util::type_keys(&mut s, "/etc");
        update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Enter));
        let ViewKind::Doc(d) = &s.top().kind else { panic!() };
        assert_eq!(d.matches.len(), 1);
        let y = update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Char('y')));
        assert!(y.is_empty() && matches!(s.top().kind, ViewKind::Doc(_)));
        let effects = run_command(&mut s, "exec ls");
        assert!(effects.is_empty(), "a document has no pod row");
    }

    #[test]
    fn exec_is_refused_read_only_off_a_pod_row_and_without_a_command() {
        let mut s = pods(true);
        assert!(run_command(&mut s, "exec ls").is_empty());
        assert!(
            s.toasts
                .iter()
                .any(|t| t.text.contains("read-only session: exec is disabled"))
        );
        let mut s = pods(false);
        assert!(run_command(&mut s, "exec").is_empty());
        assert!(s.toasts.iter().any(|t| t.text.contains("which command?")));
        let mut s = test_util::connected("demo", "shop", false);
        let svc = crate::screens::lists::sample_rows("svc", "shop", 1);
        test_util::show(
            &mut s,
            Kind::Service,
            Scope::Namespace("shop".into()),
            svc,
            WatchStatus::Ready,
        );
        assert!(run_command(&mut s, "exec ls").is_empty());
        assert!(s.toasts.iter().any(|t| t.text.contains("pod or container row")));
    }

    #[test]
    fn exec_on_a_container_row_runs_in_that_container() {
        let mut s = (crate::screens::containers::SCREEN.samples)().remove(0);
        let row = s.top().table.current().unwrap().name.clone();
        let effects = run_command(&mut s, "exec env");
        let [Effect::Exec { container, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(container.as_deref(), Some(row.as_str()));
        let ViewKind::Doc(d) = &s.top().kind else { panic!() };
        assert!(d.title.as_deref().unwrap().contains(&format!("[{row}]: env")));
    }
}
