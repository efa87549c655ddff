//! Server-side Table responses (placeholder columns until the printers land).

use serde_json::{Value, json};

use super::resources::ResourceDef;

/// What each row carries of its object (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    /// Nothing.
    None,
    /// PartialObjectMetadata.
    Metadata,
    /// The whole object.
    Object,
}

impl Include {
    /// Parses `includeObject` (default Metadata).
    pub fn parse(v: Option<&str>) -> Self {
        match v {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// Whether an Accept header asks for a Table.
pub fn accepts_table(accept: &str) -> bool {
    accept.split(',').next().is_some_and(|first| first.contains("as=Table"))
}

/// A Table of items.
pub fn to_table(_def: &ResourceDef, items: &[Value], rv: u64, cont: Option<&str>, _include: Include) -> Value {
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv.to_string(), "continue": cont},
        "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}],
        "rows": items.iter().map(|i| json!({"cells": [i["metadata"]["name"]], "object": i})).collect::<Vec<_>>()})
}
