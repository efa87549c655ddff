//! The facts a CRD adds to a resource definition (plain data, so `resources` can hold them).

/// One `additionalPrinterColumns` entry of a served version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Header text.
    pub name: String,
    /// OpenAPI type: string, integer, number, boolean, date.
    pub ty: String,
    /// OpenAPI format.
    pub format: String,
    /// Description (defaulted from the JSONPath as the server does).
    pub description: String,
    /// 0 shows by default, higher only with `-o wide`.
    pub priority: i64,
    /// The JSONPath evaluated against each object.
    pub json_path: String,
}

/// The `scale` subresource's mapping onto the custom object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalePaths {
    /// `specReplicasPath`, e.g. `.spec.replicas`.
    pub spec_replicas: String,
    /// `statusReplicasPath`, e.g. `.status.replicas`.
    pub status_replicas: String,
    /// `labelSelectorPath`, e.g. `.status.selector`.
    pub label_selector: Option<String>,
}

/// What a CRD adds to a resource definition beyond discovery facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custom {
    /// Name of the CRD, `<plural>.<group>`.
    pub crd: String,
    /// `spec.names.listKind`.
    pub list_kind: String,
    /// Table columns after Name (an Age column when the version declares none).
    pub columns: Vec<Column>,
    /// The scale subresource, when declared.
    pub scale: Option<ScalePaths>,
}
