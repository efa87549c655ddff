//! The xray tree as a pure function of the objects the cache holds: up from an object through its
//! owners to the top one, then down through everything each owns (by ownerReference uid, any kind,
//! custom resources included), a pod's containers, and the objects kubectl users look for beside
//! ownership (a pod's Services by selector, the ConfigMaps, Secrets and claims it uses, its
//! ServiceAccount and node; a Service's pods). Built once per change of the cache, never per frame.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;

/// How a node's state reads: its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// Nothing to say either way.
    #[default]
    Plain,
    /// Running, ready, available.
    Good,
    /// On its way: pending, rolling out, not all ready.
    Busy,
    /// Wrong: crash looping, failed, missing.
    Bad,
}

/// A state in words and its tone.
pub type State = (String, Tone);

/// A container of a pod, as its node shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Container {
    /// `container`, `init container`, `sidecar container`, `ephemeral container`.
    pub what: &'static str,
    /// Its key in the pod's containers view (`main/web`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its state.
    pub state: State,
}

/// What a pod uses and where it runs: the related objects of its node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodFacts {
    /// Its containers, in kubectl describe's order.
    pub containers: Vec<Container>,
    /// ConfigMaps it uses (volumes, projected volumes, envFrom, env references).
    pub config_maps: Vec<String>,
    /// Secrets it uses (the same, and image pull secrets).
    pub secrets: Vec<String>,
    /// PersistentVolumeClaims it mounts.
    pub claims: Vec<String>,
    /// Its ServiceAccount.
    pub service_account: Option<String>,
    /// The node it runs on.
    pub node: Option<String>,
}

/// One object of the cache, as the tree needs it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj {
    /// Its kind's name (`Deployment`, `ConfigMap`, a custom resource's kind).
    pub what: &'static str,
    /// Its kind, to open it.
    pub kind: Option<Kind>,
    /// Its namespace ("" for cluster-scoped objects).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its uid (the key of its row).
    pub uid: String,
    /// The uids of its ownerReferences, the controller first.
    pub owners: Vec<String>,
    /// Its labels.
    pub labels: Vec<(String, String)>,
    /// A Service's pod selector.
    pub selector: Option<Vec<(String, String)>>,
    /// Its state.
    pub state: State,
    /// A pod's containers and what it uses.
    pub pod: Option<Box<PodFacts>>,
}

/// What the tree starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// One object: its owners up to the top one, and everything below.
    Object {
        /// Its kind's name.
        what: &'static str,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Every object of a kind (`:xray deploy shop`), each expanded.
    Kind {
        /// The kind's name.
        what: &'static str,
        /// The kind's plural, for the root's line.
        plural: &'static str,
        /// The namespace (None: every namespace).
        namespace: Option<String>,
    },
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// Its kind's name, or `container`.
    pub what: &'static str,
    /// Its kind, to open it (None: a container, the root of a kind's tree, or an unserved kind).
    pub kind: Option<Kind>,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its uid, when the cache has it (None: named by another object and not in the cache).
    pub uid: Option<String>,
    /// A container's key in its pod's containers view.
    pub container: Option<String>,
    /// Its state.
    pub state: State,
    /// The node above (None: the root).
    pub parent: Option<u32>,
    /// The nodes below, in order.
    pub children: Vec<u32>,
    /// Depth below the root.
    pub depth: u16,
    /// Its place in the tree, stable across rebuilds (what folding and the cursor follow).
    pub id: u64,
}

/// The tree: its nodes, the root first, and the node the tree was asked about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    /// Every node, parents before children.
    pub nodes: Vec<Node>,
    /// The node asked about (the object of `T`; the root for a kind).
    pub focus: u32,
}

/// The objects of the cache, indexed.
pub struct Graph<'a> {
    objs: &'a [Obj],
    by_uid: HashMap<&'a str, usize>,
    owned: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, &'a str, &'a str), usize>,
    services: Vec<usize>,
    /// Kinds whose watch has synced: a name they do not hold is missing, not just not seen yet.
    synced: &'a HashSet<&'static str>,
}

impl<'a> Graph<'a> {
    /// Index `objs`; `synced` names the kinds whose watches have synced.
    pub fn new(objs: &'a [Obj], synced: &'a HashSet<&'static str>) -> Graph<'a> {
        let mut by_uid = HashMap::with_capacity(objs.len());
        let mut owned: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name = HashMap::with_capacity(objs.len());
        let mut services = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            if !o.uid.is_empty() {
                by_uid.insert(o.uid.as_str(), i);
            }
            for owner in &o.owners {
                owned.entry(owner.as_str()).or_default().push(i);
            }
            by_name.insert((o.what, o.namespace.as_str(), o.name.as_str()), i);
            if o.what == "Service" && o.selector.as_ref().is_some_and(|s| !s.is_empty()) {
                services.push(i);
            }
        }
        for children in owned.values_mut() {
            children.sort_by(|&a, &b| order(&objs[a], &objs[b]));
        }
        Graph {
            objs,
            by_uid,
            owned,
            by_name,
            services,
            synced,
        }
    }

    /// The tree of `root`; `links` are objects the root's kind leads to beside ownership (an
    /// Ingress's Services), shown under it.
    pub fn tree(&self, root: &Root, links: &[ObjRef]) -> Tree {
        let mut b = Builder {
            g: self,
            nodes: Vec::new(),
            placed: HashSet::new(),
        };
        let mut focus = 0;
        match root {
            Root::Object { what, namespace, name } => match self.by_name.get(&(*what, namespace.as_str(), name)) {
                Some(&i) => {
                    let top = self.top(i);
                    b.object(top, None);
                    let uid = self.objs[i].uid.as_str();
                    focus = b.nodes.iter().position(|n| n.uid.as_deref() == Some(uid)).unwrap_or(0) as u32;
                    for l in links {
                        b.linked(focus, l);
                    }
                }
                None => {
                    let state = match self.synced.contains(what) {
                        true => ("not found".to_string(), Tone::Bad),
                        false => ("loading…".to_string(), Tone::Plain),
                    };
                    b.push(None, leaf(what, None, namespace, name, state));
                }
            },
            Root::Kind {
                what,
                plural,
                namespace,
            } => {
                let ns = namespace.as_deref().unwrap_or("all");
                let mut of_kind: Vec<usize> = (0..self.objs.len())
                    .filter(|&i| self.objs[i].what == *what)
                    .filter(|&i| namespace.as_ref().is_none_or(|n| *n == self.objs[i].namespace))
                    .collect();
                of_kind.sort_by(|&a, &b| order(&self.objs[a], &self.objs[b]));
                let state = match (self.synced.contains(what), of_kind.len()) {
                    (false, _) => ("loading…".to_string(), Tone::Plain),
                    (true, 0) => ("none".to_string(), Tone::Plain),
                    (true, n) => (format!("{n}"), Tone::Plain),
                };
                let root = b.push(None, leaf(plural, None, "", ns, state));
                for i in of_kind {
                    b.object(i, Some(root));
                }
            }
        }
        Tree { nodes: b.nodes, focus }
    }

    /// The top owner of object `i`: its controller's controller …, as far as the cache knows them.
    fn top(&self, mut i: usize) -> usize {
        let mut seen = HashSet::from([i]);
        while let Some(&up) = self.objs[i].owners.iter().find_map(|u| self.by_uid.get(u.as_str())) {
            if !seen.insert(up) {
                break;
            }
            i = up;
        }
        i
    }

    fn named(&self, what: &'static str, namespace: &str, name: &str) -> Option<&'a Obj> {
        self.by_name.get(&(what, namespace, name)).map(|&i| &self.objs[i])
    }
}

/// Children in a stable order: by kind (owned workloads before pods), then by name.
fn order(a: &Obj, b: &Obj) -> std::cmp::Ordering {
    (rank(a.what), a.what, &a.namespace, &a.name).cmp(&(rank(b.what), b.what, &b.namespace, &b.name))
}

fn rank(what: &str) -> u8 {
    match what {
        "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" => 0,
        "ReplicaSet" | "Job" => 1,
        "Pod" => 2,
        _ => 3,
    }
}

fn leaf(what: &'static str, kind: Option<Kind>, namespace: &str, name: &str, state: State) -> Node {
    Node {
        what,
        kind,
        namespace: clean(namespace),
        name: clean(name),
        // Reasons come from the cluster too (a container's waiting reason is free text).
        state: (clean(&state.0), state.1),
        ..Node::default()
    }
}

/// Names come from the cluster: nothing in them may reach the terminal as a control sequence.
pub fn clean(s: &str) -> String {
    if s.chars().any(char::is_control) {
        s.chars().filter(|c| !c.is_control()).collect()
    } else {
        s.to_string()
    }
}

/// Related kinds a pod names, in the order its node lists them.
const USED: [&str; 3] = ["ConfigMap", "Secret", "PersistentVolumeClaim"];

struct Builder<'g, 'a> {
    g: &'g Graph<'a>,
    nodes: Vec<Node>,
    /// Objects already placed by ownership: each appears there once.
    placed: HashSet<usize>,
}

impl Builder<'_, '_> {
    fn push(&mut self, parent: Option<u32>, mut node: Node) -> u32 {
        let n = self.nodes.len() as u32;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        if let Some(p) = parent {
            self.nodes[p as usize].id.hash(&mut h);
            node.depth = self.nodes[p as usize].depth + 1;
            self.nodes[p as usize].children.push(n);
        }
        (node.what, &node.namespace, &node.name, &node.container).hash(&mut h);
        node.id = h.finish();
        node.parent = parent;
        self.nodes.push(node);
        n
    }

    fn node_of(o: &Obj) -> Node {
        Node {
            uid: Some(o.uid.clone()).filter(|u| !u.is_empty()),
            ..leaf(o.what, o.kind, &o.namespace, &o.name, o.state.clone())
        }
    }

    /// Object `i` and everything below it.
    fn object(&mut self, i: usize, parent: Option<u32>) {
        if !self.placed.insert(i) {
            return;
        }
        let g = self.g;
        let o = &g.objs[i];
        let me = self.push(parent, Self::node_of(o));
        for &c in g.owned.get(o.uid.as_str()).into_iter().flatten() {
            self.object(c, Some(me));
        }
        if let Some(facts) = &o.pod {
            self.pod(o, facts, me);
        }
        if o.what == "Service" {
            // A Service's pods are its own only by selector: those no owner placed yet.
            for p in selected(g, o) {
                self.object(p, Some(me));
            }
        }
        if USED.contains(&o.what) || o.what == "ServiceAccount" {
            // What uses it: the pods that name it (and that nothing above placed).
            for p in users(g, o) {
                self.object(p, Some(me));
            }
        }
    }

    /// An object a link leads to: with everything below it when the cache has it and the tree
    /// has not placed it yet.
    fn linked(&mut self, me: u32, to: &ObjRef) {
        let what = to.kind.name();
        match self.g.by_name.get(&(what, to.namespace.as_str(), to.name.as_str())) {
            Some(&i) if !self.placed.contains(&i) => self.object(i, Some(me)),
            Some(&i) => {
                self.push(Some(me), Self::node_of(&self.g.objs[i]));
            }
            None => {
                let state = match self.g.synced.contains(what) {
                    true => ("missing".to_string(), Tone::Bad),
                    false => (String::new(), Tone::Plain),
                };
                self.push(Some(me), leaf(what, Some(to.kind), &to.namespace, &to.name, state));
            }
        }
    }

    fn pod(&mut self, pod: &Obj, facts: &PodFacts, me: u32) {
        for c in &facts.containers {
            let node = Node {
                container: Some(c.key.clone()),
                ..leaf(c.what, None, &pod.namespace, &c.name, c.state.clone())
            };
            self.push(Some(me), node);
        }
        let g = self.g;
        let ancestors = self.ancestors(me);
        for &s in &g.services {
            let svc = &g.objs[s];
            if svc.namespace == pod.namespace && selects(svc, pod) && !ancestors.contains(&svc.uid) {
                self.push(Some(me), Self::node_of(svc));
            }
        }
        let lists = [&facts.config_maps, &facts.secrets, &facts.claims];
        for (what, names) in USED.into_iter().zip(lists) {
            for name in names {
                self.related(me, &ancestors, what, &pod.namespace, name);
            }
        }
        if let Some(sa) = &facts.service_account {
            self.related(me, &ancestors, "ServiceAccount", &pod.namespace, sa);
        }
        if let Some(node) = &facts.node {
            self.related(me, &ancestors, "Node", "", node);
        }
    }

    /// A related object named by a pod: from the cache when it is there, else said missing once its
    /// kind has synced.
    fn related(&mut self, me: u32, above: &[String], what: &'static str, namespace: &str, name: &str) {
        let node = match self.g.named(what, namespace, name) {
            // Not back up to what the tree came down from (a ConfigMap's pods).
            Some(o) if above.contains(&o.uid) => return,
            Some(o) => Self::node_of(o),
            None => {
                let state = match self.g.synced.contains(what) {
                    true => ("missing".to_string(), Tone::Bad),
                    false => (String::new(), Tone::Plain),
                };
                leaf(what, None, namespace, name, state)
            }
        };
        self.push(Some(me), node);
    }

    fn ancestors(&self, mut n: u32) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(p) = self.nodes[n as usize].parent {
            out.extend(self.nodes[p as usize].uid.clone());
            n = p;
        }
        out
    }
}

/// The pods a Service selects, in order.
fn selected<'a>(g: &'a Graph<'_>, svc: &'a Obj) -> impl Iterator<Item = usize> + 'a {
    (0..g.objs.len()).filter(move |&i| {
        let o = &g.objs[i];
        o.what == "Pod" && o.namespace == svc.namespace && selects(svc, o)
    })
}

/// The pods of its namespace that name a ConfigMap, Secret, claim or ServiceAccount.
fn users<'a>(g: &'a Graph<'_>, used: &'a Obj) -> impl Iterator<Item = usize> + 'a {
    (0..g.objs.len()).filter(move |&i| {
        let o = &g.objs[i];
        let Some(f) = o.pod.as_deref().filter(|_| o.namespace == used.namespace) else {
            return false;
        };
        let name = &used.name;
        match used.what {
            "ConfigMap" => f.config_maps.contains(name),
            "Secret" => f.secrets.contains(name),
            "PersistentVolumeClaim" => f.claims.contains(name),
            _ => f.service_account.as_ref() == Some(name),
        }
    })
}

/// Whether the Service's selector matches the pod's labels (a Service without one selects nothing).
fn selects(svc: &Obj, pod: &Obj) -> bool {
    match &svc.selector {
        Some(sel) if !sel.is_empty() => sel
            .iter()
            .all(|(k, v)| pod.labels.iter().any(|(pk, pv)| pk == k && pv == v)),
        _ => false,
    }
}

/// The nodes on show when the nodes whose ids are in `folded` are folded: depth-first, a folded
/// node's children left out.
pub fn visible(tree: &Tree, folded: &HashSet<u64>) -> Vec<u32> {
    let mut out = Vec::with_capacity(tree.nodes.len());
    let mut stack: Vec<u32> = Vec::new();
    if !tree.nodes.is_empty() {
        stack.push(0);
    }
    while let Some(n) = stack.pop() {
        out.push(n);
        let node = &tree.nodes[n as usize];
        if !folded.contains(&node.id) {
            stack.extend(node.children.iter().rev());
        }
    }
    out
}

/// The guide drawn before node `n`'s line: `│  ` for each open ancestor level, then `├─ ` or `└─ `.
pub fn guide(tree: &Tree, n: u32) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut at = n;
    let mut first = true;
    while let Some(p) = tree.nodes[at as usize].parent {
        let last = tree.nodes[p as usize].children.last() == Some(&at);
        parts.push(match (first, last) {
            (true, true) => "└─ ",
            (true, false) => "├─ ",
            (false, true) => "   ",
            (false, false) => "│  ",
        });
        first = false;
        at = p;
    }
    parts.reverse();
    parts.concat()
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
