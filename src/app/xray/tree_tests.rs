use super::*;

impl Graph<'_> {
    fn tree_of(&self, root: &Root) -> Tree {
        self.tree(root, &[])
    }
}

fn obj(kind: Kind, name: &str, uid: &str, owners: &[&str]) -> Obj {
    Obj {
        what: kind.name(),
        kind: Some(kind),
        namespace: if kind.namespaced() {
            "shop".into()
        } else {
            String::new()
        },
        name: name.into(),
        uid: uid.into(),
        owners: owners.iter().map(|s| s.to_string()).collect(),
        state: ("ok".into(), Tone::Good),
        ..Obj::default()
    }
}

fn pod(name: &str, uid: &str, owner: &str) -> Obj {
    Obj {
        labels: vec![("app".into(), "web".into())],
        pod: Some(Box::new(PodFacts {
            containers: vec![Container {
                what: "container",
                key: "main/web".into(),
                name: "web".into(),
                state: ("Running, ready".into(), Tone::Good),
            }],
            config_maps: vec!["web-nginx".into()],
            secrets: vec!["shop-db".into()],
            claims: vec![],
            service_account: Some("shop".into()),
            node: Some("worker-1".into()),
        })),
        ..obj(Kind::Pod, name, uid, &[owner])
    }
}

fn service(name: &str, uid: &str) -> Obj {
    Obj {
        selector: Some(vec![("app".into(), "web".into())]),
        ..obj(Kind::Service, name, uid, &[])
    }
}

fn named(what: &'static str, name: &str) -> Obj {
    Obj {
        what,
        namespace: "shop".into(),
        name: name.into(),
        uid: format!("{what}-{name}"),
        ..Obj::default()
    }
}

fn shop() -> Vec<Obj> {
    vec![
        obj(Kind::Deployment, "web", "d1", &[]),
        obj(Kind::ReplicaSet, "web-7f9", "rs1", &["d1"]),
        obj(Kind::ReplicaSet, "web-6a1", "rs0", &["d1"]),
        pod("web-7f9-a", "p1", "rs1"),
        pod("web-7f9-b", "p2", "rs1"),
        service("web", "s1"),
        obj(Kind::EndpointSlice, "web-xk2", "es1", &["s1"]),
        named("ConfigMap", "web-nginx"),
        obj(Kind::Node, "worker-1", "n1", &[]),
        obj(Kind::Job, "report-1", "j1", &["cj1"]),
        obj(Kind::CronJob, "report", "cj1", &[]),
    ]
}

/// Each node as `depth what name`.
fn outline(t: &Tree) -> Vec<String> {
    t.nodes
        .iter()
        .map(|n| format!("{}{} {}", "  ".repeat(n.depth as usize), n.what, n.name))
        .collect()
}

fn synced(kinds: &[&'static str]) -> HashSet<&'static str> {
    kinds.iter().copied().collect()
}

fn object(what: &'static str, name: &str) -> Root {
    Root::Object {
        what,
        namespace: "shop".into(),
        name: name.into(),
    }
}

#[test]
fn a_deployment_shows_its_replica_sets_pods_containers_and_what_the_pods_use() {
    let objs = shop();
    let all = synced(&["ConfigMap", "Secret", "ServiceAccount", "Node"]);
    let t = Graph::new(&objs, &all).tree_of(&object("Deployment", "web"));
    let lines = outline(&t);
    assert_eq!(
        lines[..12],
        [
            "Deployment web",
            "  ReplicaSet web-6a1",
            "  ReplicaSet web-7f9",
            "    Pod web-7f9-a",
            "      container web",
            "      Service web",
            "      ConfigMap web-nginx",
            "      Secret shop-db",
            "      ServiceAccount shop",
            "      Node worker-1",
            "    Pod web-7f9-b",
            "      container web",
        ],
        "{lines:#?}"
    );
    assert_eq!(t.focus, 0);
    let by_name = |what: &str, name: &str| t.nodes.iter().find(|n| n.what == what && n.name == name).unwrap();
    assert_eq!(
        by_name("ConfigMap", "web-nginx").uid.as_deref(),
        Some("ConfigMap-web-nginx")
    );
    // Named by the pod, watched and synced, not there: said so.
    assert_eq!(by_name("Secret", "shop-db").state, ("missing".into(), Tone::Bad));
    assert_eq!(by_name("container", "web").container.as_deref(), Some("main/web"));
    assert_eq!(by_name("Node", "worker-1").state.1, Tone::Good);
}

#[test]
fn a_pod_climbs_to_its_top_owner_and_the_cursor_goes_to_the_pod() {
    let objs = shop();
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Pod", "web-7f9-b"));
    assert_eq!(t.nodes[0].what, "Deployment");
    let focus = &t.nodes[t.focus as usize];
    assert_eq!((focus.what, focus.name.as_str(), focus.depth), ("Pod", "web-7f9-b", 2));
    let parent = &t.nodes[focus.parent.unwrap() as usize];
    assert_eq!(parent.name, "web-7f9");
    // Not synced yet: a name the cache lacks is not called missing.
    let secret = t.nodes.iter().find(|n| n.what == "Secret").unwrap();
    assert_eq!(secret.state.0, "");
}

#[test]
fn a_job_climbs_to_its_cron_job() {
    let objs = shop();
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Job", "report-1"));
    assert_eq!(outline(&t), ["CronJob report", "  Job report-1"]);
    assert_eq!(t.focus, 1);
}

#[test]
fn a_service_shows_its_endpoint_slices_and_pods_and_not_itself_again() {
    let objs = shop();
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Service", "web"));
    let lines = outline(&t);
    assert_eq!(
        lines[..4],
        [
            "Service web",
            "  EndpointSlice web-xk2",
            "  Pod web-7f9-a",
            "    container web"
        ]
    );
    assert!(!lines[1..].iter().any(|l| l.contains("Service web")), "{lines:#?}");
}

#[test]
fn a_custom_resource_owns_by_uid_like_any_kind() {
    let res = model::registry::Resource {
        group: "example.com".into(),
        version: "v1".into(),
        kind: "WebApp".into(),
        plural: "webapps".into(),
        namespaced: true,
        ..Default::default()
    };
    let webapp = Kind::from_resource(&res);
    let mut objs = shop();
    objs.push(obj(webapp, "shop-web", "w1", &[]));
    objs[0].owners = vec!["w1".into()];
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Pod", "web-7f9-a"));
    assert_eq!(
        outline(&t)[..3],
        ["WebApp shop-web", "  Deployment web", "    ReplicaSet web-6a1"]
    );
    assert_eq!(t.nodes[0].kind, Some(webapp));
}

#[test]
fn a_kind_tree_lists_each_object_expanded() {
    let objs = shop();
    let root = Root::Kind {
        what: "ReplicaSet",
        plural: "replicasets",
        namespace: Some("shop".into()),
    };
    let t = Graph::new(&objs, &synced(&["ReplicaSet"])).tree_of(&root);
    let lines = outline(&t);
    assert_eq!(
        lines[..4],
        [
            "replicasets shop",
            "  ReplicaSet web-6a1",
            "  ReplicaSet web-7f9",
            "    Pod web-7f9-a"
        ]
    );
    assert_eq!(t.nodes[0].state.0, "2");
    let t = Graph::new(&[], &HashSet::new()).tree_of(&root);
    assert_eq!(t.nodes[0].state.0, "loading…");
}

#[test]
fn an_object_not_there_says_so_once_synced() {
    let objs = shop();
    let t = Graph::new(&objs, &synced(&["Pod"])).tree_of(&object("Pod", "gone"));
    assert_eq!(t.nodes.len(), 1);
    assert_eq!(t.nodes[0].state, ("not found".into(), Tone::Bad));
}

#[test]
fn names_lose_their_control_characters() {
    let mut objs = shop();
    objs[0].name = "web\u{1b}[31mred\u{7}".into();
    let facts = objs[3].pod.as_mut().unwrap();
    facts.containers[0].state.0 = "Crash\u{1b}]0;pwned\u{7}Loop".into();
    facts.containers[0].name = "we\u{9b}b".into();
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Pod", "web-7f9-a"));
    assert_eq!(t.nodes[0].name, "web[31mred");
    let c = t.nodes.iter().find(|n| n.what == "container").unwrap();
    assert_eq!((c.name.as_str(), c.state.0.as_str()), ("web", "Crash]0;pwnedLoop"));
}

#[test]
fn folding_hides_children_and_guides_draw_the_branches() {
    let objs = shop();
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Deployment", "web"));
    let all = visible(&t, &HashSet::new());
    assert_eq!(all.len(), t.nodes.len());
    let rs = t.nodes.iter().position(|n| n.name == "web-7f9").unwrap();
    let folded = HashSet::from([t.nodes[rs].id]);
    let shown = visible(&t, &folded);
    assert_eq!(shown.len(), 3, "the deployment and its two replica sets");
    assert_eq!(guide(&t, 0), "");
    assert_eq!(guide(&t, 1), "├─ ");
    assert_eq!(guide(&t, rs as u32), "└─ ");
    assert_eq!(guide(&t, rs as u32 + 1), "   ├─ ");
    assert_eq!(guide(&t, rs as u32 + 2), "   │  ├─ ");
    // Ids are places in the tree: the same on a rebuild, so folds and the cursor stay.
    let again = Graph::new(&objs, &HashSet::new()).tree_of(&object("Deployment", "web"));
    assert_eq!(again.nodes[rs].id, t.nodes[rs].id);
}

#[test]
fn ten_thousand_pods_build_once_and_fold_cheaply() {
    let mut objs = vec![
        obj(Kind::Deployment, "big", "d", &[]),
        obj(Kind::ReplicaSet, "big-1", "rs", &["d"]),
    ];
    objs.push(service("web", "s1"));
    for i in 0..10_000 {
        objs.push(pod(&format!("big-1-{i:05}"), &format!("p{i}"), "rs"));
    }
    let started = std::time::Instant::now();
    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("Deployment", "big"));
    let built = started.elapsed();
    // Each pod: itself, a container, the Service, a ConfigMap, a Secret, a ServiceAccount, a node.
    assert_eq!(t.nodes.len(), 2 + 10_000 * 7);
    let started = std::time::Instant::now();
    let shown = visible(&t, &HashSet::from([t.nodes[1].id]));
    let folded = started.elapsed();
    assert_eq!(shown.len(), 2);
    eprintln!("10,000 pods: built in {built:?}, folded in {folded:?}");
}

#[test]
fn an_ingress_leads_to_its_services_and_a_config_map_to_the_pods_using_it() {
    let res = model::registry::Resource {
        group: "networking.k8s.io".into(),
        version: "v1".into(),
        kind: "Ingress".into(),
        plural: "ingresses".into(),
        namespaced: true,
        ..Default::default()
    };
    let ingress = Kind::from_resource(&res);
    let mut objs = shop();
    objs.push(obj(ingress, "shop", "i1", &[]));
    let links = [
        ObjRef::new(Kind::Service, "shop", "web"),
        ObjRef::new(Kind::Service, "shop", "gone"),
    ];
    let g_synced = synced(&["Service"]);
    let t = Graph::new(&objs, &g_synced).tree(&object("Ingress", "shop"), &links);
    let lines = outline(&t);
    assert_eq!(
        lines[..4],
        [
            "Ingress shop",
            "  Service web",
            "    EndpointSlice web-xk2",
            "    Pod web-7f9-a"
        ]
    );
    let last = t.nodes.last().unwrap();
    assert_eq!(
        (last.name.as_str(), &last.state),
        ("gone", &("missing".to_string(), Tone::Bad))
    );

    let t = Graph::new(&objs, &HashSet::new()).tree_of(&object("ConfigMap", "web-nginx"));
    assert_eq!(
        outline(&t)[..3],
        ["ConfigMap web-nginx", "  Pod web-7f9-a", "    container web"]
    );
    assert!(
        !outline(&t)[1..].iter().any(|l| l.contains("ConfigMap web-nginx")),
        "not under its own pods"
    );
}
