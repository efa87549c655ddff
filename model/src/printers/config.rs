//! ConfigMaps, Secrets, PersistentVolumes, PersistentVolumeClaims and StorageClasses.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{AGE, Cell, Column, NAME, age_of, col, name_of, wide};

/// ConfigMap columns.
pub static CONFIG_MAP_COLUMNS: &[Column] = &[NAME, col("Data", "Data contains the configuration data."), AGE];

/// Secret columns.
pub static SECRET_COLUMNS: &[Column] = &[
    NAME,
    col("Type", "Used to facilitate programmatic handling of secret data."),
    col("Data", "Data contains the secret data."),
    AGE,
];

/// PersistentVolume columns.
pub static PV_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Capacity",
        "capacity is the description of the persistent volume's resources and capacity.",
    ),
    col(
        "Access Modes",
        "accessModes contains all ways the volume can be mounted.",
    ),
    col(
        "Reclaim Policy",
        "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
    ),
    col(
        "Status",
        "phase indicates if a volume is available, bound to a claim, or released by a claim.",
    ),
    col(
        "Claim",
        "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
    ),
    col("StorageClass", "StorageClass of the pv"),
    col("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    col(
        "Reason",
        "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.",
    ),
    AGE,
    wide(
        "VolumeMode",
        "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
    ),
];

/// PersistentVolumeClaim columns.
pub static PVC_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "phase represents the current phase of PersistentVolumeClaim."),
    col(
        "Volume",
        "volumeName is the binding reference to the PersistentVolume backing this claim.",
    ),
    col(
        "Capacity",
        "capacity represents the actual resources of the underlying volume.",
    ),
    col(
        "Access Modes",
        "accessModes contains the actual access modes the volume backing the PVC has.",
    ),
    col("StorageClass", "StorageClass of the pvc"),
    col("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    AGE,
    wide(
        "VolumeMode",
        "volumeMode defines what type of volume is required by the claim.",
    ),
];

/// StorageClass columns.
pub static STORAGE_CLASS_COLUMNS: &[Column] = &[
    NAME,
    col("Provisioner", "provisioner indicates the type of the provisioner."),
    col(
        "ReclaimPolicy",
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
    ),
    col(
        "VolumeBindingMode",
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
    ),
    col(
        "AllowVolumeExpansion",
        "allowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    AGE,
];

/// The full config map row: DATA counts `data` and `binaryData` keys.
pub fn config_map_row(cm: &ConfigMap, now: Timestamp) -> Vec<Cell> {
    let n = cm.data.as_ref().map_or(0, BTreeMap::len) + cm.binary_data.as_ref().map_or(0, BTreeMap::len);
    vec![
        name_of(&cm.metadata).into(),
        (n as i64).into(),
        age_of(&cm.metadata, now),
    ]
}

/// The full secret row. A secret written with `stringData` has it merged into `data` by the server.
pub fn secret_row(s: &Secret, now: Timestamp) -> Vec<Cell> {
    let n = s.data.as_ref().map_or(0, BTreeMap::len);
    vec![
        name_of(&s.metadata).into(),
        s.type_.clone().unwrap_or_default().into(),
        (n as i64).into(),
        age_of(&s.metadata, now),
    ]
}

/// `GetAccessModesAsString`: "RWO,ROX,RWX,RWOP" in that fixed order, de-duplicated.
pub fn access_modes(modes: &[String]) -> String {
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| modes.iter().any(|x| x == m))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

fn storage(q: Option<&BTreeMap<String, Quantity>>) -> String {
    // Go prints a missing quantity as the zero Quantity, "0".
    q.and_then(|m| m.get("storage"))
        .map_or_else(|| "0".into(), |q| q.0.clone())
}

const BETA_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// The full persistent volume row.
pub fn pv_row(pv: &PersistentVolume, now: Timestamp) -> Vec<Cell> {
    let spec = pv.spec.as_ref();
    let claim = spec
        .and_then(|s| s.claim_ref.as_ref())
        .map(|c| {
            format!(
                "{}/{}",
                c.namespace.as_deref().unwrap_or(""),
                c.name.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default();
    let phase = if pv.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
    };
    let class = pv
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(BETA_CLASS_ANNOTATION).cloned())
        .or_else(|| spec.and_then(|s| s.storage_class_name.clone()))
        .unwrap_or_default();
    vec![
        name_of(&pv.metadata).into(),
        storage(spec.and_then(|s| s.capacity.as_ref())).into(),
        access_modes(spec.and_then(|s| s.access_modes.as_deref()).unwrap_or_default()).into(),
        spec.and_then(|s| s.persistent_volume_reclaim_policy.clone())
            .unwrap_or_default()
            .into(),
        phase.into(),
        claim.into(),
        class.into(),
        spec.and_then(|s| s.volume_attributes_class_name.clone())
            .unwrap_or_else(|| "<unset>".into())
            .into(),
        pv.status
            .as_ref()
            .and_then(|s| s.reason.clone())
            .unwrap_or_default()
            .into(),
        age_of(&pv.metadata, now),
        spec.and_then(|s| s.volume_mode.clone())
            .unwrap_or_else(|| "<unset>".into())
            .into(),
    ]
}

/// The full persistent volume claim row: capacity and modes show only once bound to a volume.
pub fn pvc_row(pvc: &PersistentVolumeClaim, now: Timestamp) -> Vec<Cell> {
    let spec = pvc.spec.as_ref();
    let status = pvc.status.as_ref();
    let phase = if pvc.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.and_then(|s| s.phase.clone()).unwrap_or_default()
    };
    let volume = spec.and_then(|s| s.volume_name.clone()).unwrap_or_default();
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            storage(status.and_then(|s| s.capacity.as_ref())),
            access_modes(status.and_then(|s| s.access_modes.as_deref()).unwrap_or_default()),
        )
    };
    let class = pvc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(BETA_CLASS_ANNOTATION).cloned())
        .or_else(|| spec.and_then(|s| s.storage_class_name.clone()))
        .unwrap_or_default();
    vec![
        name_of(&pvc.metadata).into(),
        phase.into(),
        volume.into(),
        capacity.into(),
        modes.into(),
        class.into(),
        spec.and_then(|s| s.volume_attributes_class_name.clone())
            .unwrap_or_else(|| "<unset>".into())
            .into(),
        age_of(&pvc.metadata, now),
        spec.and_then(|s| s.volume_mode.clone())
            .unwrap_or_else(|| "<unset>".into())
            .into(),
    ]
}

/// Whether the class carries the (beta) default-class annotation set to "true".
pub fn is_default_class(sc: &StorageClass) -> bool {
    let ann = sc.metadata.annotations.as_ref();
    [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|k| ann.and_then(|a| a.get(*k)).is_some_and(|v| v == "true"))
}

/// The full storage class row; the default class is named "standard (default)".
pub fn storage_class_row(sc: &StorageClass, now: Timestamp) -> Vec<Cell> {
    let mut name = name_of(&sc.metadata);
    if is_default_class(sc) {
        name.push_str(" (default)");
    }
    vec![
        name.into(),
        sc.provisioner.clone().into(),
        sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()).into(),
        sc.volume_binding_mode
            .clone()
            .unwrap_or_else(|| "Immediate".into())
            .into(),
        // Go puts a bool in this "string" column; kubectl prints it as true/false.
        sc.allow_volume_expansion.unwrap_or(false).into(),
        age_of(&sc.metadata, now),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{obj, test_now, texts};
    use super::*;
    use serde_json::json;

    #[test]
    fn config_map_and_secret_counts() {
        let cm: ConfigMap =
            obj(json!({"metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}));
        assert_eq!(config_map_row(&cm, test_now())[1], Cell::Int(3));
        let s: Secret = obj(
            json!({"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}),
        );
        assert_eq!(&texts(&secret_row(&s, test_now()))[1..3], &["kubernetes.io/tls", "2"]);
    }

    #[test]
    fn pv_and_pvc_rows() {
        let pv: PersistentVolume = obj(
            json!({"metadata": {"name": "pv-1", "creationTimestamp": "2024-05-01T11:00:00Z"},
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast", "volumeMode": "Filesystem",
                     "claimRef": {"namespace": "default", "name": "data"}},
            "status": {"phase": "Bound"}}),
        );
        assert_eq!(
            texts(&pv_row(&pv, test_now())),
            vec![
                "pv-1",
                "10Gi",
                "RWO,RWX",
                "Retain",
                "Bound",
                "default/data",
                "fast",
                "<unset>",
                "",
                "60m",
                "Filesystem"
            ]
        );
        let pending: PersistentVolumeClaim = obj(json!({"metadata": {"name": "data"},
            "spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "1Gi"}}}, "status": {"phase": "Pending"}}));
        assert_eq!(
            &texts(&pvc_row(&pending, test_now()))[1..7],
            &["Pending", "", "", "", "fast", "<unset>"]
        );
        let bound: PersistentVolumeClaim = obj(json!({"metadata": {"name": "data",
                "annotations": {"volume.beta.kubernetes.io/storage-class": "legacy"}},
            "spec": {"volumeName": "pv-1", "storageClassName": "fast", "volumeMode": "Block"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOncePod"]}}));
        let row = texts(&pvc_row(&bound, test_now()));
        assert_eq!(&row[1..6], &["Bound", "pv-1", "10Gi", "RWOP", "legacy"]);
        assert_eq!(row[8], "Block");
    }

    #[test]
    fn storage_class_defaults_and_default_marker() {
        let sc: StorageClass = obj(json!({"metadata": {"name": "standard",
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}, "provisioner": "rancher.io/local-path"}));
        let row = storage_class_row(&sc, test_now());
        assert_eq!(
            &texts(&row)[..5],
            &[
                "standard (default)",
                "rancher.io/local-path",
                "Delete",
                "Immediate",
                "false"
            ]
        );
        assert_eq!(row[4], Cell::Bool(false));
    }
}
