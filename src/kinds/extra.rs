//! What kubedeck knows of a kind beyond what discovery says of it: plain data that the files of
//! `kinds/` fill in (kubectl's describer, values behind keys, where `enter` and "used by" lead).

use k8s_openapi::api::core::v1::Event;
use serde_json::Value;

/// kubectl's describer of the kind: the object as JSON, its events, now.
pub type Describe = fn(&Value, &[Event], jiff::Timestamp) -> Result<Vec<String>, serde_json::Error>;

/// Where a link leads, from the object and the lists its link asked for (in the order of `needs`);
/// an error is what to say instead (`not bound to a volume yet`).
pub type Resolve = fn(obj: &Value, lists: &[Vec<Value>]) -> Result<Vec<Found>, String>;

/// A list a link needs besides the object itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The listed kind's API group.
    pub group: &'static str,
    /// The listed kind.
    pub kind: &'static str,
    /// In every namespace; else in the object's namespace (cluster-scoped kinds: everywhere anyway).
    pub everywhere: bool,
}

/// A drill-down worked out from the object fetched fresh: `enter`, or "used by".
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// What it lists besides the object.
    pub needs: &'static [Need],
    /// Where it leads.
    pub resolve: Resolve,
    /// The words before the object in the title: `mounting` (pods mounting configmap x).
    pub what: &'static str,
    /// What is said when it leads nowhere: `no pod mounts it`.
    pub none: &'static str,
}

/// Values behind keys (`enter` lists them, a key shows its value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// A ConfigMap's: shown as they are.
    Plain,
    /// A Secret's: masked until `x`, never logged.
    Secret,
}

/// The extras of one kind, keyed by its group and kind.
#[derive(Debug, Clone, Copy)]
pub struct Extras {
    /// The API group ("" for core).
    pub group: &'static str,
    /// The kind, as the API spells it.
    pub kind: &'static str,
    /// kubectl's describer (else the generic one).
    pub describe: Option<Describe>,
    /// Keys with values: `enter` lists them.
    pub data: Option<Data>,
    /// Where `enter` leads.
    pub enter: Option<Link>,
    /// The pods that use the object.
    pub used_by: Option<Link>,
}

impl Extras {
    /// Nothing known: the base of each entry (`..Extras::NONE`).
    pub const NONE: Extras = Extras {
        group: "",
        kind: "",
        describe: None,
        data: None,
        enter: None,
        used_by: None,
    };
}

/// Objects a link found, all of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Their API group.
    pub group: String,
    /// Their kind.
    pub kind: String,
    /// (namespace, name) of each ("" for cluster-scoped); None: every object of the kind.
    pub objects: Option<Vec<(String, String)>>,
}

impl Found {
    /// Objects of `group`/`kind` named `objects`.
    pub fn named(group: &str, kind: &str, objects: Vec<(String, String)>) -> Found {
        Found {
            group: group.into(),
            kind: kind.into(),
            objects: Some(objects),
        }
    }
}

/// Why an object is gathered, so its answer reaches the view that asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Its keys and values (the keys view).
    Keys,
    /// Every value decoded (`x` on a Secret row).
    Decode,
    /// Its `enter` link.
    Enter,
    /// Its "used by" link.
    UsedBy,
    /// Its `enter` link, for the xray tree of it (an Ingress's Services).
    Xray,
}

/// The group of an `apiVersion`: `apps/v1` → `apps`, `v1` → "" (core).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// (namespace, name) of an object as JSON.
pub fn id(obj: &Value) -> (String, String) {
    let md = &obj["metadata"];
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (s(&md["namespace"]), s(&md["name"]))
}

/// List `n` of what a link asked for (empty when it is missing).
pub fn list(lists: &[Vec<Value>], n: usize) -> &[Value] {
    lists.get(n).map_or(&[], Vec::as_slice)
}
