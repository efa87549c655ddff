//! The requests of the YAML editor, as `kubectl edit` sends them: a GET of the whole object (as a
//! DynamicObject, so every field of every kind survives, custom resources included), a PUT with
//! `dryRun=All` for the diff, and the PUT itself with the resourceVersion fetched, both (and `:apply`'s
//! server-side apply) with strict field validation as kubectl's default `--validate=strict`. Refusals are
//! said in kubectl's words with each cause's field; a 409 comes with the object as it is now.
//! Also the recovery file of an edit in progress.

use std::io::Write;
use std::path::{Path, PathBuf};

use kube::Client;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::Value;

use super::{ObjRef, dyn_api};
use crate::app::edit::{DocResult, Refusal, Reply, Request, recovery_name};
use crate::cluster::describe::fetch::error_text;

/// GET the object whole.
pub async fn get(client: &Client, target: &ObjRef) -> Result<Value, String> {
    let o = dyn_api(client, target)
        .get(&target.name)
        .await
        .map_err(|e| error_text(&e))?;
    Ok(serde_json::to_value(o).unwrap_or_default())
}

/// PUT `object` (a dry run when `dry`): what the server stores (or would), or its refusal. On a
/// 409 the object is read again, so the user sees what changed on the server.
pub async fn put(client: &Client, target: &ObjRef, object: &Value, dry: bool) -> Result<Value, Refusal> {
    let body: DynamicObject = serde_json::from_value(object.clone()).map_err(|e| Refusal {
        text: format!("the object cannot be sent: {e}"),
        conflict: None,
        fields: Vec::new(),
    })?;
    let pp = PostParams {
        dry_run: dry,
        field_manager: Some("kubedeck".into()),
    };
    match strict_replace(client, target, &pp, &body).await {
        Ok(o) => Ok(serde_json::to_value(o).unwrap_or_default()),
        Err(e) => {
            let conflict = match &e {
                kube::Error::Api(s) if s.code == 409 => Some(get(client, target).await),
                _ => None,
            };
            let fields = refused_fields(&e);
            Err(Refusal {
                text: refusal_text(&e),
                conflict,
                fields,
            })
        }
    }
}

/// The PUT with `fieldValidation=Strict`, as kubectl edit and replace send it (`--validate=strict`):
/// a misspelt field is refused rather than silently dropped. kube's PostParams cannot say it.
async fn strict_replace(
    client: &Client,
    target: &ObjRef,
    pp: &PostParams,
    body: &DynamicObject,
) -> Result<DynamicObject, kube::Error> {
    let api = dyn_api(client, target);
    let data = serde_json::to_vec(body).map_err(kube::Error::SerdeError)?;
    let mut req = kube::core::Request::new(api.resource_url())
        .replace(&target.name, pp, data)
        .map_err(kube::Error::BuildRequest)?;
    let uri = req.uri().to_string();
    let sep = if uri.ends_with('?') || uri.ends_with('&') {
        ""
    } else if uri.contains('?') {
        "&"
    } else {
        "?"
    };
    *req.uri_mut() = format!("{uri}{sep}fieldValidation=Strict")
        .parse()
        .map_err(|e: http::uri::InvalidUri| {
            kube::Error::BuildRequest(kube::core::request::Error::Validation(e.to_string()))
        })?;
    client.request(req).await
}

/// The fields a refusal names: a 422's causes, else the unknown fields of a strict decoding error
/// (`unknown field "spec.replica"`) or of a server-side apply (`.spec.replica: field not declared
/// in schema`), which come in the message only.
fn refused_fields(e: &kube::Error) -> Vec<String> {
    let kube::Error::Api(s) = e else { return Vec::new() };
    let causes: Vec<String> = (s.details.iter().flat_map(|d| &d.causes))
        .map(|c| c.field.clone())
        .filter(|f| !f.is_empty())
        .collect();
    if !causes.is_empty() {
        return causes;
    }
    unknown_fields(&s.message)
}

/// The unknown fields a strict decoding or server-side apply error message names, in order.
pub fn unknown_fields(message: &str) -> Vec<String> {
    let mut out: Vec<String> = message
        .split("unknown field \"")
        .skip(1)
        .filter_map(|r| r.split_once('"').map(|(f, _)| f.to_string()))
        .collect();
    let declared: Vec<&str> = message.split(": field not declared in schema").collect();
    for seg in &declared[..declared.len() - 1] {
        let start = seg.rfind([' ', '\n']).map_or(0, |i| i + 1);
        if let Some(f) = seg[start..].strip_prefix('.') {
            out.push(f.to_string());
        }
    }
    out
}

/// Answer one of the editor's cluster requests (the fetch with the text kept in `recovery`, a
/// directory, if any); None for the disk-only ones.
pub async fn answer(client: Option<&Client>, request: Request, recovery: Option<&Path>) -> Option<Reply> {
    let offline = || "not connected to a cluster".to_string();
    let put = |target: ObjRef, object: Value, dry: bool| async move {
        match client {
            Some(c) => put(c, &target, &object, dry).await,
            None => Err(Refusal {
                text: offline(),
                conflict: None,
                fields: Vec::new(),
            }),
        }
    };
    Some(match request {
        Request::Fetch { target, context } => {
            let result = match client {
                Some(c) => get(c, &target).await,
                None => Err(offline()),
            };
            let name = recovery_name(&context, &target);
            let recovered = recovery.and_then(|d| recovered(d, &name));
            Reply::Fetched {
                target,
                result,
                recovered,
            }
        }
        Request::DryRun { target, object } => Reply::DryRun {
            result: put(target.clone(), object, true).await,
            target,
        },
        Request::Apply { target, object } => Reply::Applied {
            result: put(target.clone(), object, false).await,
            target,
        },
        Request::Patch { target, patch, dry } => {
            let result = match client {
                Some(c) => {
                    let pp = PatchParams {
                        dry_run: dry,
                        ..Default::default()
                    };
                    (dyn_api(c, &target)
                        .patch(&target.name, &pp, &Patch::Strategic(&patch))
                        .await)
                        .map(|o| serde_json::to_value(o).unwrap_or_default())
                        .map_err(|e| Refusal {
                            text: refusal_text(&e),
                            conflict: None,
                            fields: Vec::new(),
                        })
                }
                None => Err(Refusal {
                    text: offline(),
                    conflict: None,
                    fields: Vec::new(),
                }),
            };
            if dry {
                Reply::DryRun { target, result }
            } else {
                Reply::Applied { target, result }
            }
        }
        Request::ApplyDocs { docs, dry } => {
            let mut results = Vec::new();
            for (target, object) in docs {
                let (before, result) = match client {
                    Some(c) => apply_one(c, &target, &object, dry).await,
                    None => (
                        None,
                        Err(Refusal {
                            text: offline(),
                            conflict: None,
                            fields: Vec::new(),
                        }),
                    ),
                };
                results.push(DocResult { target, before, result });
            }
            Reply::AppliedDocs { dry, results }
        }
        Request::Keep { .. } | Request::Forget { .. } => return None,
    })
}

/// `kubectl apply --server-side` of one object: the object before (None: new) and after.
async fn apply_one(
    client: &Client,
    target: &ObjRef,
    object: &Value,
    dry: bool,
) -> (Option<Value>, Result<Value, Refusal>) {
    let api = dyn_api(client, target);
    let before = match api.get_opt(&target.name).await {
        Ok(b) => b.map(|b| serde_json::to_value(b).unwrap_or_default()),
        Err(e) => {
            let refusal = Refusal {
                text: refusal_text(&e),
                conflict: None,
                fields: Vec::new(),
            };
            return (None, Err(refusal));
        }
    };
    let mut pp = PatchParams::apply("kubedeck").validation_strict();
    pp.dry_run = dry;
    let result = api
        .patch(&target.name, &pp, &Patch::Apply(object))
        .await
        .map(|o| serde_json::to_value(o).unwrap_or_default())
        .map_err(|e| Refusal {
            text: refusal_text(&e),
            conflict: None,
            fields: refused_fields(&e),
        });
    (before, result)
}

/// kubectl's line for a refused request, then each cause the server gave that the line does not
/// already say, with its field path (a 422's `details.causes`).
pub fn refusal_text(e: &kube::Error) -> String {
    let mut text = error_text(e);
    if let kube::Error::Api(s) = e
        && let Some(d) = &s.details
    {
        for c in &d.causes {
            let line = if c.field.is_empty() {
                c.message.clone()
            } else {
                format!("{}: {}", c.field, c.message)
            };
            if !line.is_empty() && !text.contains(&line) {
                text.push_str(&format!("\n  {line}"));
            }
        }
    }
    text
}

/// Where edits in progress are kept: `$XDG_STATE_HOME/kubedeck/edits`, else
/// `~/.local/state/kubedeck/edits`.
pub fn recovery_dir() -> Option<PathBuf> {
    crate::logging::default_log_path()?.parent().map(|d| d.join("edits"))
}

/// Write `text` to `dir/name`, readable by the user only (the directory 0700, the file 0600),
/// through a temporary file so a crash never leaves half a text.
pub fn keep(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp)?;
    restrict(&tmp, 0o600)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    let _ = (path, mode);
    Ok(())
}

/// The text kept in `dir/name`, if any.
pub fn recovered(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

/// Remove `dir/name` (there being none is fine).
pub fn forget(dir: &Path, name: &str) {
    let _ = std::fs::remove_file(dir.join(name));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recovery_file_is_the_users_alone_and_goes_away() {
        let dir = std::env::temp_dir().join(format!("kubedeck-edit-test-{}", std::process::id()));
        let path = keep(&dir, "ctx__deployment.apps__shop__web.yaml", "spec: {}\n").unwrap();
        assert_eq!(
            recovered(&dir, "ctx__deployment.apps__shop__web.yaml").as_deref(),
            Some("spec: {}\n")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        }
        forget(&dir, "ctx__deployment.apps__shop__web.yaml");
        assert!(recovered(&dir, "ctx__deployment.apps__shop__web.yaml").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_unknown_fields_of_a_strict_refusal_are_read_from_its_message() {
        let strict = "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: \
                      unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].imagePulPolicy\"";
        assert_eq!(
            unknown_fields(strict),
            ["spec.replica", "spec.template.spec.containers[0].imagePulPolicy"]
        );
        let ssa = "failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): \
                   .spec.replica: field not declared in schema";
        assert_eq!(unknown_fields(ssa), ["spec.replica"]);
    }
}
