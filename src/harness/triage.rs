//! Triage: divergences grouped into clusters, one per defect.
//!
//! A differential run over many generated cases finds the same defect again and again, each
//! time with other data. A cluster gathers the divergences with the same [`ClusterKey`]: what
//! the second implementation did where the first is the judge —
//!
//! - whether the first implementation failed, and whether the second did;
//! - the second's error (or, when only the first failed, the first's): a `States.*` name with
//!   its cause reduced to a template ([`cause_template`]: values masked, quoted text and numbers
//!   dropped), or the name alone for any other error (an error the machine itself names, in a
//!   `Fail` state or a fixture, is "an error the machine defines", since its name is data);
//! - when neither failed, the members that differ (`/output`, `/history`, …).
//!
//! The key is coarser than the shrinker's [`Signature`] on purpose: the signature keeps the
//! first side's cause, so the same missing-path defect of the second side would make one
//! cluster per path the generator happened to draw. Measured on 150 generated `intrinsics`
//! cases against aws-local-stepfunctions: 87 divergences, 39 distinct signatures, 13 keys.
//! The features the minimal machine uses (corpus vocabulary) are shown with each cluster but
//! are not part of the key: shrinking removes states, not the incidental fields of the states
//! that remain, so they split one defect into many clusters too.
//!
//! Each cluster keeps its smallest shrunk case as its exemplar (fewest states, then the
//! smallest definition and input), and the labels of all its members. Shrinking is spent on new
//! defects: a divergence whose key is the key of a cluster with an exemplar of at most
//! [`SMALL_EXEMPLAR`] states is not shrunk, it joins that cluster as it is.
//!
//! A cluster's id ([`ClusterKey::id`]) is a stable hash of its key, written into its pending
//! case as the tag `cluster:<id>`, so a later run that finds the same cluster recognises the
//! pending case written for it ([`known_clusters`]) and does not write a second one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::minimise::Shrunk;
use crate::backend::Observation;
use crate::corpus::files::{case_files, Walk};
use crate::corpus::pending::features;
use crate::corpus::Runnable;
use crate::diff::signature::{mask_cause, Outcome};
use crate::diff::Signature;

/// An exemplar this small ends shrinking for later divergences of the same key.
pub const SMALL_EXEMPLAR: usize = 3;

/// What makes two divergences one defect (see the module documentation), as readable text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClusterKey(pub String);

impl ClusterKey {
    /// The key of a divergence between `first` and `second` on `case`.
    pub fn of(
        case: &Runnable,
        first: &Observation,
        second: &Observation,
        signature: &Signature,
    ) -> ClusterKey {
        let defined = |e: &str| {
            let quoted = serde_json::to_string(e).unwrap_or_default();
            [&case.definition, &case.environment]
                .iter()
                .any(|v| v.to_string().contains(&quoted))
        };
        let error = |o: &Outcome| -> Option<String> {
            let Outcome::Execution {
                error: Some(e),
                cause,
            } = o
            else {
                return None;
            };
            Some(if e.starts_with("States.") {
                match cause.as_deref().map(cause_template) {
                    Some(t) if !t.is_empty() && t != *e => format!("{e}: {t}"),
                    _ => e.clone(),
                }
            } else if defined(e) {
                "an error the machine defines".to_string()
            } else {
                e.clone()
            })
        };
        let [a, b] = [Outcome::of(first), Outcome::of(second)];
        let text = match (&a, &b) {
            (Outcome::Validation { .. }, Outcome::Validation { .. }) => {
                format!("validation: the first finds the definition {a}, the second {b}")
            }
            (_, Outcome::Errored { message }) => {
                format!(
                    "the second implementation broke: {}",
                    cause_template(message)
                )
            }
            _ => match (error(&a), error(&b)) {
                (None, None) => {
                    let members: Vec<&str> = signature.members.iter().map(String::as_str).collect();
                    format!("both succeed; they differ at {}", members.join(", "))
                }
                (Some(ea), None) => format!("only the first fails, with {ea}"),
                (first, Some(eb)) => format!(
                    "the first {}; the second fails with {eb}",
                    if first.is_some() { "fails" } else { "succeeds" }
                ),
            },
        };
        ClusterKey(text)
    }

    /// A stable 16-hex-digit id of the key (FNV-1a over its text).
    pub fn id(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.0.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// The tag a cluster's pending case carries.
    pub fn tag(&self) -> String {
        format!("cluster:{}", self.id())
    }
}

impl fmt::Display for ClusterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A cause reduced to what does not follow the data: masked ([`mask_cause`]), then everything
/// from the first quote to the last one becomes `…`, numbers and `<n>` are dropped, runs of
/// dots and spaces are collapsed. `The JSONPath '$.a' specified for the field 'x' could not be
/// found` and the same with other paths and fields give one template.
pub fn cause_template(cause: &str) -> String {
    let masked = mask_cause(cause);
    if masked.starts_with('{') || masked.starts_with('[') {
        return "a JSON cause".to_string();
    }
    let quotes: Vec<usize> = masked
        .char_indices()
        .filter(|(_, c)| matches!(c, '\'' | '"'))
        .map(|(i, _)| i)
        .collect();
    let cut = match (quotes.first(), quotes.last()) {
        (Some(&i), Some(&j)) if i < j => format!("{} … {}", &masked[..i], &masked[j + 1..]),
        _ => masked,
    };
    let cut = cut
        .replace("<n>", " ")
        .replace("...", " ")
        .replace('…', " … ");
    let mut out = String::new();
    for word in cut.split_whitespace() {
        if word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+'))
        {
            continue;
        }
        if word == "…" && out.ends_with('…') {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// One defect: its key, its smallest exemplar, and every divergence that showed it.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub key: ClusterKey,
    /// The corpus features the exemplar uses.
    pub features: Vec<String>,
    /// The label of the case the exemplar was shrunk from.
    pub exemplar_of: String,
    pub exemplar: Shrunk,
    /// The labels of all divergent cases in the cluster (the exemplar's among them), in the
    /// order they were found.
    pub members: Vec<String>,
}

/// The clusters of one run, in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    pub clusters: Vec<Cluster>,
}

impl Triage {
    /// The cluster of this key, when its exemplar is small enough that shrinking another
    /// divergence of the key is not worth its budget.
    pub fn small_exemplar(&self, key: &ClusterKey) -> Option<usize> {
        self.clusters
            .iter()
            .position(|c| &c.key == key && c.exemplar.states_after() <= SMALL_EXEMPLAR)
    }

    /// Adds `label` to cluster `index` without shrinking it.
    pub fn join(&mut self, index: usize, label: String) {
        self.clusters[index].members.push(label);
    }

    /// Files a shrunk divergence under its key: a new cluster, or a member of an existing one
    /// (whose exemplar it replaces when it is smaller). Returns the cluster's index.
    pub fn add(
        &mut self,
        label: String,
        key: ClusterKey,
        shrunk: Shrunk,
        vocabulary: &BTreeSet<String>,
    ) -> usize {
        let features = features(&shrunk.case.definition, vocabulary);
        if let Some(i) = self.clusters.iter().position(|c| c.key == key) {
            let c = &mut self.clusters[i];
            c.members.push(label.clone());
            if size(&shrunk) < size(&c.exemplar) {
                c.exemplar = shrunk;
                c.exemplar_of = label;
                c.features = features;
            }
            return i;
        }
        self.clusters.push(Cluster {
            key,
            features,
            exemplar_of: label.clone(),
            exemplar: shrunk,
            members: vec![label],
        });
        self.clusters.len() - 1
    }

    /// The number of divergences filed.
    pub fn divergences(&self) -> usize {
        self.clusters.iter().map(|c| c.members.len()).sum()
    }
}

/// The order of exemplars: fewer states, then a shorter definition and input.
fn size(s: &Shrunk) -> (usize, usize) {
    let text = |v: &Value| serde_json::to_string(v).map_or(usize::MAX, |t| t.len());
    (
        s.states_after(),
        text(&s.case.definition).saturating_add(text(&s.case.input)),
    )
}

/// The pending cases under `dir` (recursively) that carry a `cluster:<id>` tag, by id. Files
/// that cannot be read or parsed are passed over: they are the corpus loader's business.
pub fn known_clusters(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    // A missing or unreadable directory holds no known cluster: the walk's problems are ignored.
    let (files, _) = case_files(&[dir.to_path_buf()], Walk::Lenient);
    for path in files {
        let Some(v) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        else {
            continue;
        };
        let tags = v.get("tags").and_then(Value::as_array);
        for t in tags.into_iter().flatten().filter_map(Value::as_str) {
            if let Some(id) = t.strip_prefix("cluster:") {
                found.entry(id.to_string()).or_insert_with(|| path.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Mode;
    use crate::corpus::Origin;
    use crate::diff::shrink::Stop;
    use crate::diff::signature::tests::{failed, succeeded};
    use serde_json::json;

    fn runnable(definition: Value) -> Runnable {
        Runnable {
            origin: Origin::Generated {
                profile: "p".into(),
                seed: 0,
                generator_version: "0".into(),
                shrunk: false,
            },
            mode: Mode::Execution,
            definition,
            input: json!({}),
            environment: json!({}),
        }
    }

    fn chain(states: usize) -> Value {
        let mut s = serde_json::Map::new();
        for i in 0..states {
            let next = if i + 1 == states {
                json!({"Type": "Pass", "End": true})
            } else {
                json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
            };
            s.insert(format!("S{i}"), next);
        }
        json!({"StartAt": "S0", "States": s})
    }

    fn signature() -> Signature {
        Signature {
            members: ["/error".to_string()].into_iter().collect(),
            sides: [Outcome::Inconclusive, Outcome::Inconclusive],
        }
    }

    fn shrunk(states: usize) -> Shrunk {
        Shrunk {
            states_before: states,
            observed: Observation::Skipped("test".into()),
            observed_b: Observation::Skipped("test".into()),
            case: runnable(chain(states)),
            tests: 0,
            stop: Stop::Fixpoint,
            signature: signature(),
        }
    }

    fn key(s: &str) -> ClusterKey {
        ClusterKey(s.into())
    }

    fn vocabulary() -> BTreeSet<String> {
        ["Pass", "Choice"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn divergences_with_one_key_make_one_cluster_with_the_smallest_exemplar() {
        let mut t = Triage::default();
        assert_eq!(t.add("a".into(), key("X"), shrunk(4), &vocabulary()), 0);
        assert_eq!(t.add("b".into(), key("X"), shrunk(2), &vocabulary()), 0);
        assert_eq!(t.add("c".into(), key("Y"), shrunk(3), &vocabulary()), 1);
        assert_eq!(t.clusters.len(), 2);
        assert_eq!(t.clusters[0].members, ["a", "b"]);
        assert_eq!(t.clusters[0].exemplar_of, "b");
        assert_eq!(t.clusters[0].exemplar.states_after(), 2);
        assert_eq!(t.clusters[0].features, ["Pass"]);
        assert_eq!(t.divergences(), 3);
    }

    #[test]
    fn only_a_small_exemplar_of_the_same_key_stops_shrinking() {
        let mut t = Triage::default();
        t.add("a".into(), key("X"), shrunk(5), &vocabulary());
        assert_eq!(t.small_exemplar(&key("X")), None);
        t.add("b".into(), key("X"), shrunk(1), &vocabulary());
        assert_eq!(t.small_exemplar(&key("X")), Some(0));
        assert_eq!(t.small_exemplar(&key("Y")), None);
        t.join(0, "c".into());
        assert_eq!(t.clusters[0].members, ["a", "b", "c"]);
    }

    #[test]
    fn the_key_follows_the_second_side_and_drops_the_data() {
        let case =
            runnable(json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Mine"}}}));
        let missing = |path: &str| {
            failed(
                "States.Runtime",
                &format!("Path expression '{path}' does not point to a value"),
            )
        };
        let k1 = ClusterKey::of(&case, &succeeded(json!(1)), &missing("$.a.b"), &signature());
        let k2 = ClusterKey::of(
            &case,
            &succeeded(json!({"x": 2})),
            &missing("$['q'][0]"),
            &signature(),
        );
        assert_eq!(k1, k2);
        assert_eq!(
            k1.0,
            "the first succeeds; the second fails with States.Runtime: Path expression … does not point to a value"
        );
        let k3 = ClusterKey::of(
            &case,
            &failed("States.Runtime", "other text 12"),
            &missing("$.a"),
            &signature(),
        );
        assert_ne!(k1, k3, "whether the first failed is part of the key");
        let mine = ClusterKey::of(
            &case,
            &succeeded(json!(1)),
            &failed("Mine", "x"),
            &signature(),
        );
        assert_eq!(
            mine.0,
            "the first succeeds; the second fails with an error the machine defines"
        );
        let js = ClusterKey::of(
            &case,
            &succeeded(json!(1)),
            &failed(
                "SyntaxError",
                "Unexpected token 'a', \"a\" is not valid JSON",
            ),
            &signature(),
        );
        assert_eq!(
            js.0,
            "the first succeeds; the second fails with SyntaxError"
        );
        let both = ClusterKey::of(
            &case,
            &succeeded(json!(1)),
            &succeeded(json!(2)),
            &Signature {
                members: ["/output".to_string()].into_iter().collect(),
                sides: [Outcome::Inconclusive, Outcome::Inconclusive],
            },
        );
        assert_eq!(both.0, "both succeed; they differ at /output");
    }

    #[test]
    fn cause_templates() {
        assert_eq!(
            cause_template("The JSONPath '$.a' specified for the field 'x' could not be found"),
            "The JSONPath … could not be found"
        );
        assert_eq!(
            cause_template("Intrinsic function States.Format expected argument 1 to be of type 'string', but received object"),
            "Intrinsic function States.Format expected argument to be of type … but received object"
        );
        assert_eq!(cause_template("{\"errorMessage\": \"x\"}"), "a JSON cause");
        assert_eq!(
            cause_template("Unexpected end of JSON input"),
            "Unexpected end of JSON input"
        );
    }

    #[test]
    fn cluster_ids_are_stable_and_follow_the_key() {
        assert_eq!(key("X").id(), key("X").id());
        assert_ne!(key("X").id(), key("Y").id());
        assert_eq!(key("X").id().len(), 16);
        assert_eq!(key("X").tag(), format!("cluster:{}", key("X").id()));
    }

    #[test]
    fn known_clusters_are_read_from_pending_tags() {
        let dir = std::env::temp_dir().join(format!("aslcheck-triage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("area")).unwrap();
        std::fs::write(
            dir.join("area/a.json"),
            r#"{"tags": ["pending", "cluster:00ff"]}"#,
        )
        .unwrap();
        std::fs::write(dir.join("b.json"), "not json").unwrap();
        let known = known_clusters(&dir);
        assert_eq!(known.len(), 1);
        assert_eq!(known["00ff"], dir.join("area/a.json"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
