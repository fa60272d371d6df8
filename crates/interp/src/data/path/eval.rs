//! Evaluation of a compiled path against a document: the allocation-free
//! walk for simple paths and the work-stack evaluator that reproduces
//! Jayway's result order and its runtime errors.

use serde_json::{Map, Value};

use super::ast::{write_fragment, Expr, Path, PathError, Step};
use super::filter::eval_expr;
use super::java::{java_class, java_display};

/// The JSON provider AWS is assumed to configure; it appears in one Jayway
/// message. UNVERIFIED against AWS: taken from Jayway's default Jackson setup.
const JSON_PROVIDER: &str = "com.jayway.jsonpath.spi.json.JacksonJsonProvider";

/// Marker for "no enclosing array wildcard catches failures".
const NO_CATCH: usize = usize::MAX;

impl Path {
    /// Fast path for definite paths of names and indexes: no allocation.
    pub(super) fn walk_simple<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut node = root;
        for step in &self.steps {
            node = match step {
                Step::Name { name, .. } => member(node.as_object()?, name)?,
                Step::Index(k) => {
                    let array = node.as_array()?;
                    array.get(resolve_index(*k, array.len())?)?
                }
                _ => return None,
            };
        }
        Some(node)
    }

    /// Full evaluation; on failure the evaluation is repeated with path
    /// tracing switched on to build Jayway's message.
    pub(super) fn evaluate<'a>(&self, root: &'a Value) -> Result<Vec<Hit<'a>>, PathError> {
        match Evaluator::new(self, root, false, false).run(root) {
            Ok(hits) => Ok(hits),
            Err(_) => match Evaluator::new(self, root, false, true).run(root) {
                Ok(hits) => Ok(hits),
                Err(fail) => Err(PathError {
                    message: fail.into_message(),
                }),
            },
        }
    }
}

/// Objects up to this size are searched by comparing keys, which is cheaper than hashing them.
const SCAN_LIMIT: usize = 8;

/// A member of an object.
fn member<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        map.get(name)
    }
}

/// A member of an object, to overwrite.
pub(super) fn member_mut<'a>(map: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter_mut()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    } else {
        map.get_mut(name)
    }
}

/// Resolves a possibly negative index against an array length.
pub(super) fn resolve_index(k: i32, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let k = i64::from(k);
    let effective = if k < 0 { len + k } else { k };
    if (0..len).contains(&effective) {
        usize::try_from(effective).ok()
    } else {
        None
    }
}

pub(super) enum Hit<'a> {
    Ref(&'a Value),
    Owned(Value),
}

impl Hit<'_> {
    pub(super) fn into_value(self) -> Value {
        match self {
            Hit::Ref(value) => value.clone(),
            Hit::Owned(value) => value,
        }
    }
}

/// Jayway's two exception types: `PathNotFoundException` (caught by array
/// wildcards and turned into "undefined" inside filters) and
/// `InvalidPathException` (makes the whole filter false).
pub(super) enum Fail {
    NotFound(String),
    Invalid(String),
}

impl Fail {
    fn into_message(self) -> String {
        match self {
            Fail::NotFound(m) | Fail::Invalid(m) => m,
        }
    }
}

enum Seg {
    Key(String),
    Index(i64),
}

#[derive(Clone, Copy)]
struct Work<'a> {
    node: &'a Value,
    /// Step to apply (for a walk: the target step of the `..`).
    step: usize,
    /// A `..` walk item instead of a step evaluation.
    walk: bool,
    /// Trace node (only meaningful while tracing).
    trace: usize,
    /// Stack height to unwind to when a `NotFound` failure is swallowed by the
    /// enclosing array wildcard, or `NO_CATCH`.
    catch: usize,
}

pub(super) struct Evaluator<'p, 'a> {
    path: &'p Path,
    doc: &'a Value,
    /// Jayway's `REQUIRE_PROPERTIES` option (used for filter existence tests).
    require: bool,
    tracing: bool,
    trace: Vec<(usize, Seg)>,
}

impl<'p, 'a> Evaluator<'p, 'a> {
    pub(super) fn new(path: &'p Path, doc: &'a Value, require: bool, tracing: bool) -> Self {
        Evaluator {
            path,
            doc,
            require,
            tracing,
            trace: vec![(0, Seg::Index(0))],
        }
    }

    pub(super) fn run(&mut self, start: &'a Value) -> Result<Vec<Hit<'a>>, Fail> {
        let mut out = Vec::new();
        let mut stack = vec![Work {
            node: start,
            step: 0,
            walk: false,
            trace: 0,
            catch: NO_CATCH,
        }];
        while let Some(work) = stack.pop() {
            let result = if work.walk {
                self.walk(work, &mut stack);
                Ok(())
            } else {
                self.step(work, &mut stack, &mut out)
            };
            match result {
                Ok(()) => {}
                Err(Fail::NotFound(_)) if work.catch != NO_CATCH => stack.truncate(work.catch),
                Err(fail) => return Err(fail),
            }
        }
        Ok(out)
    }

    fn child(&mut self, parent: usize, seg: impl FnOnce() -> Seg) -> usize {
        if self.tracing {
            self.trace.push((parent, seg()));
            self.trace.len() - 1
        } else {
            0
        }
    }

    /// Jayway's `currentPath` of a node: raw names, indexes as iterated.
    fn current(&self, trace: usize) -> String {
        let mut segs = Vec::new();
        let mut i = trace;
        while i != 0 {
            let Some((parent, seg)) = self.trace.get(i) else {
                break;
            };
            segs.push(seg);
            i = *parent;
        }
        let mut out = String::new();
        out.push(self.path.root_char());
        for seg in segs.iter().rev() {
            match seg {
                Seg::Key(k) => {
                    out.push_str("['");
                    out.push_str(k);
                    out.push_str("']");
                }
                Seg::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }

    /// Builds a failure message only when tracing (messages can be costly).
    fn message(&self, build: impl FnOnce() -> String) -> String {
        if self.tracing {
            build()
        } else {
            String::new()
        }
    }

    fn step(
        &mut self,
        work: Work<'a>,
        stack: &mut Vec<Work<'a>>,
        out: &mut Vec<Hit<'a>>,
    ) -> Result<(), Fail> {
        let path = self.path;
        let i = work.step;
        let Some(step) = path.steps.get(i) else {
            out.push(Hit::Ref(work.node));
            return Ok(());
        };
        let leaf = i + 1 == path.steps.len();
        let upstream_definite = i <= path.first_indefinite;
        let node = work.node;
        let push = |stack: &mut Vec<Work<'a>>, node: &'a Value, trace: usize| {
            stack.push(Work {
                node,
                step: i + 1,
                walk: false,
                trace,
                catch: work.catch,
            });
        };
        match step {
            Step::Name { .. } | Step::Names { .. } if !node.is_object() => {
                if upstream_definite {
                    return Err(Fail::NotFound(self.message(|| {
                        let mut fragment = String::new();
                        write_fragment(step, &mut fragment);
                        expected_object_message(&fragment, &self.current(work.trace), node)
                    })));
                }
            }
            Step::Name { name, .. } => {
                let map = node.as_object();
                match map.and_then(|m| m.get(&**name)) {
                    Some(value) => {
                        let trace = self.child(work.trace, || Seg::Key(name.to_string()));
                        push(stack, value, trace);
                    }
                    None if leaf => {
                        if self.require {
                            return Err(Fail::NotFound(self.message(|| {
                                format!(
                                    "No results for path: {}['{name}']",
                                    self.current(work.trace)
                                )
                            })));
                        }
                    }
                    None => {
                        if upstream_definite || self.require {
                            return Err(Fail::NotFound(self.message(|| {
                                format!(
                                    "Missing property in path {}['{name}']",
                                    self.current(work.trace)
                                )
                            })));
                        }
                    }
                }
            }
            Step::Names { names, .. } => {
                let Some(map) = node.as_object() else {
                    return Ok(());
                };
                if leaf {
                    let mut merged = Map::new();
                    for name in names {
                        match map.get(&**name) {
                            Some(value) => {
                                merged.insert(name.to_string(), value.clone());
                            }
                            None if self.require => {
                                return Err(Fail::NotFound(self.message(|| {
                                    format!(
                                        "Missing property in path {}['{name}']",
                                        self.current(work.trace)
                                    )
                                })));
                            }
                            None => {}
                        }
                    }
                    out.push(Hit::Owned(Value::Object(merged)));
                } else {
                    for name in names.iter().rev() {
                        match map.get(&**name) {
                            Some(value) => {
                                let trace = self.child(work.trace, || Seg::Key(name.to_string()));
                                push(stack, value, trace);
                            }
                            None if self.require => {
                                return Err(Fail::NotFound(self.message(|| {
                                    format!(
                                        "Missing property in path {}['{name}']",
                                        self.current(work.trace)
                                    )
                                })));
                            }
                            None => {}
                        }
                    }
                }
            }
            Step::Index(k) => {
                if let Some(array) = self.array_operand(work, upstream_definite)? {
                    self.push_index(array, i64::from(*k), work, stack);
                }
            }
            Step::Indexes(ks) => {
                if let Some(array) = self.array_operand(work, upstream_definite)? {
                    for k in ks.iter().rev() {
                        self.push_index(array, i64::from(*k), work, stack);
                    }
                }
            }
            Step::Slice { from, to } => {
                if let Some(array) = self.array_operand(work, upstream_definite)? {
                    let range = slice_range(*from, *to, array.len());
                    for k in range.rev() {
                        self.push_index(array, k, work, stack);
                    }
                }
            }
            Step::Wildcard => match node {
                Value::Object(map) => {
                    for (key, value) in map.iter().rev() {
                        let trace = self.child(work.trace, || Seg::Key(key.clone()));
                        push(stack, value, trace);
                    }
                }
                Value::Array(array) => {
                    for (n, value) in array.iter().enumerate().rev() {
                        let trace = self.child(work.trace, || Seg::Index(n as i64));
                        // Jayway catches PathNotFoundException per element
                        // (unless REQUIRE_PROPERTIES is set).
                        let catch = if self.require {
                            work.catch
                        } else {
                            stack.len()
                        };
                        stack.push(Work {
                            node: value,
                            step: i + 1,
                            walk: false,
                            trace,
                            catch,
                        });
                    }
                }
                _ => {
                    if !leaf {
                        return Err(Fail::NotFound(self.message(|| {
                            format!(
                                "Expected to find an object or array in path {} but found '{}'. ",
                                self.current(work.trace),
                                java_class(node)
                            )
                        })));
                    }
                }
            },
            Step::Scan => stack.push(Work {
                walk: true,
                step: i + 1,
                ..work
            }),
            Step::Filter(expr) => match node {
                Value::Object(_) => {
                    if self.accept(expr, node) {
                        push(stack, node, work.trace);
                    }
                }
                Value::Array(array) => {
                    for (n, item) in array.iter().enumerate().rev() {
                        if self.accept(expr, item) {
                            let trace = self.child(work.trace, || Seg::Index(n as i64));
                            push(stack, item, trace);
                        }
                    }
                }
                _ => {
                    if upstream_definite {
                        return Err(Fail::Invalid(self.message(|| {
                            format!(
                                "Filter: {} can not be applied to primitives. Current context is: {}",
                                path.fragments_from(i),
                                java_display(node)
                            )
                        })));
                    }
                }
            },
        }
        Ok(())
    }

    /// Jayway's `checkArrayModel`.
    fn array_operand(
        &self,
        work: Work<'a>,
        upstream_definite: bool,
    ) -> Result<Option<&'a Vec<Value>>, Fail> {
        match work.node {
            Value::Array(array) => Ok(Some(array)),
            _ if !upstream_definite => Ok(None),
            Value::Null => {
                Err(Fail::NotFound(self.message(|| {
                    format!("The path {} is null", self.current(work.trace))
                })))
            }
            other => Err(Fail::NotFound(self.message(|| {
                format!(
                    "Filter: {} can only be applied to arrays. Current context is: {}",
                    self.path.fragments_from(work.step),
                    java_display(other)
                )
            }))),
        }
    }

    /// Jayway's `handleArrayIndex`: negative indexes count from the end; out
    /// of range selects nothing.
    fn push_index(
        &mut self,
        array: &'a [Value],
        k: i64,
        work: Work<'a>,
        stack: &mut Vec<Work<'a>>,
    ) {
        let len = i64::try_from(array.len()).unwrap_or(i64::MAX);
        let effective = if k < 0 { len + k } else { k };
        let Some(value) = usize::try_from(effective).ok().and_then(|e| array.get(e)) else {
            return;
        };
        let trace = self.child(work.trace, || Seg::Index(k));
        stack.push(Work {
            node: value,
            step: work.step + 1,
            walk: false,
            trace,
            catch: work.catch,
        });
    }

    /// One node of Jayway's `ScanPathToken.walk`: evaluate the target step
    /// here if the node qualifies, then walk the children (document order).
    fn walk(&mut self, work: Work<'a>, stack: &mut Vec<Work<'a>>) {
        let path = self.path;
        let target_index = work.step;
        let Some(target) = path.steps.get(target_index) else {
            return;
        };
        let target_leaf = target_index + 1 == path.steps.len();
        match work.node {
            Value::Object(map) => {
                for (key, value) in map.iter().rev() {
                    if value.is_object() || value.is_array() {
                        let trace = self.child(work.trace, || Seg::Key(key.clone()));
                        stack.push(Work {
                            node: value,
                            trace,
                            ..work
                        });
                    }
                }
                if self.scan_matches(target, target_leaf, work.node) {
                    stack.push(Work {
                        walk: false,
                        ..work
                    });
                }
            }
            Value::Array(array) => {
                for (n, value) in array.iter().enumerate().rev() {
                    if value.is_object() || value.is_array() {
                        let trace = self.child(work.trace, || Seg::Index(n as i64));
                        stack.push(Work {
                            node: value,
                            trace,
                            ..work
                        });
                    }
                }
                if self.scan_matches(target, target_leaf, work.node) {
                    if target_leaf {
                        stack.push(Work {
                            walk: false,
                            ..work
                        });
                    } else {
                        // Jayway quirk kept on purpose: for an array that
                        // matches a non-leaf target, the step *after* the
                        // target is applied to every element.
                        for (n, value) in array.iter().enumerate().rev() {
                            let trace = self.child(work.trace, || Seg::Index(n as i64));
                            stack.push(Work {
                                node: value,
                                step: target_index + 1,
                                walk: false,
                                trace,
                                catch: work.catch,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Jayway's scan predicates.
    fn scan_matches(&self, target: &Step, target_leaf: bool, node: &Value) -> bool {
        match target {
            Step::Name { name, .. } => node.as_object().is_some_and(|m| m.contains_key(&**name)),
            Step::Names { names, .. } => node
                .as_object()
                .is_some_and(|m| !target_leaf || names.iter().all(|n| m.contains_key(&**n))),
            Step::Index(_) | Step::Indexes(_) | Step::Slice { .. } => node.is_array(),
            Step::Wildcard => true,
            Step::Filter(expr) => self.accept(expr, node),
            Step::Scan => false,
        }
    }

    fn accept(&self, expr: &Expr, item: &Value) -> bool {
        eval_expr(expr, item, self.doc).unwrap_or(false)
    }
}

/// The indexes a slice visits, as Jayway's `ArrayPathToken.slice*` computes
/// them (before negative indexes are resolved by `handleArrayIndex`); indexes
/// that would resolve below zero are skipped up front.
fn slice_range(from: Option<i32>, to: Option<i32>, len: usize) -> std::ops::Range<i64> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let empty = 0..0;
    match (from, to) {
        (Some(from), None) => {
            let mut from = i64::from(from);
            if from < 0 {
                from += len;
            }
            let from = from.max(0);
            if len == 0 || from >= len {
                empty
            } else {
                from..len
            }
        }
        (Some(from), Some(to)) => {
            let from = i64::from(from);
            let to = i64::from(to).min(len);
            if from >= to || len == 0 {
                empty
            } else {
                from.max(-len)..to
            }
        }
        (None, Some(to)) => {
            if len == 0 {
                return empty;
            }
            let mut to = i64::from(to);
            if to < 0 {
                to += len;
            }
            0..to.min(len).max(0)
        }
        (None, None) => empty,
    }
}

pub(super) fn expected_object_message(fragment: &str, current: &str, node: &Value) -> String {
    format!(
        "Expected to find an object with property {fragment} in path {current} but found '{}'. This is not a json object according to the JsonProvider: '{JSON_PROVIDER}'.",
        java_class(node)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::path::testing::*;
    use serde_json::json;
    use std::borrow::Cow;

    // -- runtime errors (docs/semantics/data-flow.md §2.5) --------------------------------

    #[test]
    fn missing_leaf_is_no_results_for_whole_path() {
        assert_eq!(
            err("$.NoSuchInputPath", &json!({"a": 1})),
            "No results for path: $['NoSuchInputPath']"
        );
        assert_eq!(
            err("$.a.b", &json!({"a": {}})),
            "No results for path: $['a']['b']"
        );
        assert_eq!(
            err("$['a'][\"b\"]", &json!({"a": {}})),
            "No results for path: $['a'][\"b\"]"
        );
    }

    #[test]
    fn missing_intermediate_is_missing_property() {
        assert_eq!(
            err("$.no.such.result.path", &json!({})),
            "Missing property in path $['no']"
        );
        assert_eq!(
            err("$.a.no.c", &json!({"a": {}})),
            "Missing property in path $['a']['no']"
        );
        assert_eq!(
            err("$.a[0].missing.x", &json!({"a": [{}]})),
            "Missing property in path $['a'][0]['missing']"
        );
        // Jayway prints the raw name here (no escaping).
        assert_eq!(
            err("$['it\\'s'].x", &json!({})),
            "Missing property in path $['it's']"
        );
    }

    #[test]
    fn property_on_non_object() {
        let tail = "This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.";
        let cases = [
            (json!({"a": 5}), "java.lang.Integer"),
            (json!({"a": 5_000_000_000_i64}), "java.lang.Long"),
            (json!({"a": u64::MAX}), "java.math.BigInteger"),
            (json!({"a": 1.5}), "java.lang.Double"),
            (json!({"a": "s"}), "java.lang.String"),
            (json!({"a": true}), "java.lang.Boolean"),
            (json!({"a": [1]}), "java.util.ArrayList"),
            (json!({"a": null}), "null"),
        ];
        for (doc, class) in cases {
            assert_eq!(
                err("$.a.b", &doc),
                format!("Expected to find an object with property ['b'] in path $['a'] but found '{class}'. {tail}")
            );
        }
        assert_eq!(
            err("$.x", &json!([1])),
            format!("Expected to find an object with property ['x'] in path $ but found 'java.util.ArrayList'. {tail}")
        );
        assert_eq!(
            err("$.a['x','y']", &json!({"a": 1})),
            format!("Expected to find an object with property ['x','y'] in path $['a'] but found 'java.lang.Integer'. {tail}")
        );
    }

    #[test]
    fn index_errors() {
        let doc =
            json!({"a": [1, 2], "o": {"x": 1.5, "y": 1e10, "z": [true, null, "s"]}, "n": null});
        assert_eq!(err("$.a[5]", &doc), "No results for path: $['a'][5]");
        assert_eq!(err("$.a[-3]", &doc), "No results for path: $['a'][-3]");
        assert_eq!(err("$.a[5].b", &doc), "No results for path: $['a'][5]['b']");
        assert_eq!(
            err("$.o[0].b", &doc),
            "Filter: [0]['b'] can only be applied to arrays. Current context is: {x=1.5, y=1.0E10, z=[true, null, s]}"
        );
        assert_eq!(err("$.n[0]", &doc), "The path $['n'] is null");
        // Indefinite steps after a definite prefix fail the same way.
        assert_eq!(err("$.n[1:]", &doc), "The path $['n'] is null");
    }

    #[test]
    fn indefinite_paths_fail_only_in_their_definite_prefix() {
        let doc = json!({"items": [{"id": 1}, {"no": 2}, 3, {"id": 4}]});
        assert_eq!(sel("$.items[*].id", &doc), json!([1, 4]));
        assert_eq!(
            err("$.missing[*].id", &doc),
            "Missing property in path $['missing']"
        );
        assert_eq!(sel("$..nothing", &doc), json!([]));
        assert_eq!(sel("$.items[7:9]", &doc), json!([]));
        assert_eq!(sel("$.items[?(@.zzz)]", &doc), json!([]));
        assert_eq!(
            err("$.items[0].id[?(@.x)]", &doc),
            "Filter: [?] can not be applied to primitives. Current context is: 1"
        );
        // Jayway: a non-final wildcard on a scalar fails...
        assert_eq!(
            err("$.items[2][*].x", &doc),
            "Expected to find an object or array in path $['items'][2] but found 'java.lang.Integer'. "
        );
        assert_eq!(
            err("$.*[*].x", &json!({"a": 1})),
            "Expected to find an object or array in path $['a'] but found 'java.lang.Integer'. "
        );
        // ...unless an enclosing array wildcard swallows it.
        assert_eq!(
            sel("$[*][*].x", &json!([1, [{"x": 2}], {"k": {"x": 3}}])),
            json!([2, 3])
        );
        // A final wildcard on a scalar just selects nothing.
        assert_eq!(sel("$.items[0].id[*]", &doc), json!([]));
    }

    // -- selection ------------------------------------------------------

    #[test]
    fn indexes_unions_and_slices() {
        let doc = json!({"a": [0, 1, 2, 3, 4]});
        assert_eq!(sel("$.a[0]", &doc), json!(0));
        assert_eq!(sel("$.a[-1]", &doc), json!(4));
        assert_eq!(sel("$.a[-5]", &doc), json!(0));
        assert_eq!(sel("$.a[4,0,9,-1]", &doc), json!([4, 0, 4]));
        assert_eq!(sel("$.a[1:3]", &doc), json!([1, 2]));
        assert_eq!(sel("$.a[:2]", &doc), json!([0, 1]));
        assert_eq!(sel("$.a[3:]", &doc), json!([3, 4]));
        assert_eq!(sel("$.a[-2:]", &doc), json!([3, 4]));
        assert_eq!(sel("$.a[-9:]", &doc), json!([0, 1, 2, 3, 4]));
        assert_eq!(sel("$.a[:-2]", &doc), json!([0, 1, 2]));
        assert_eq!(sel("$.a[-3:-1]", &doc), json!([2, 3]));
        assert_eq!(sel("$.a[1:100]", &doc), json!([1, 2, 3, 4]));
        assert_eq!(sel("$.a[3:1]", &doc), json!([]));
        assert_eq!(
            sel("$.a[-2147483648:2]", &doc),
            json!([0, 1, 2, 3, 4, 0, 1])
        );
        // Jayway ignores a slice step.
        assert_eq!(sel("$.a[0:4:2]", &doc), json!([0, 1, 2, 3]));
        assert_eq!(sel("$.a[ 1 : 3 ]", &doc), json!([1, 2]));
        assert_eq!(sel("$[0:2]", &json!([])), json!([]));
    }

    #[test]
    fn wildcards() {
        let doc = json!({"a": {"x": 1, "y": [2, 3]}, "b": [{"c": 4}, {"c": 5}]});
        assert_eq!(
            sel("$.*", &doc),
            json!([{"x": 1, "y": [2, 3]}, [{"c": 4}, {"c": 5}]])
        );
        assert_eq!(sel("$.a.*", &doc), json!([1, [2, 3]]));
        assert_eq!(sel("$.a[*]", &doc), json!([1, [2, 3]]));
        assert_eq!(sel("$.b[*].c", &doc), json!([4, 5]));
        assert_eq!(sel("$.b.*.c", &doc), json!([4, 5]));
        assert_eq!(sel("$.a.x.*", &doc), json!([]));
        // ResultSelector flatten example: {"flat.$": "$[*][*]"}
        assert_eq!(sel("$[*][*]", &json!([[1], [2, 3]])), json!([1, 2, 3]));
    }

    #[test]
    fn multi_property_brackets() {
        let doc = json!({"a": 1, "b": null, "c": 3, "o": {"a": {"z": 1}, "b": {"z": 2}}});
        // As the last step Jayway merges the members into one object (definite).
        assert_eq!(sel("$['a','b','zz']", &doc), json!({"a": 1, "b": null}));
        assert!(matches!(p("$['a','c']").select(&doc), Ok(Cow::Owned(_))));
        // Elsewhere it iterates (indefinite).
        assert_eq!(sel("$.o['a','b','q'].z", &doc), json!([1, 2]));
        assert_eq!(
            sel("$[*]['a','b']", &json!([{"a": 1, "c": 2}, 3])),
            json!([{"a": 1}])
        );
    }

    #[test]
    fn deep_scan() {
        let doc = json!({
            "store": {
                "book": [
                    {"title": "A", "price": 8, "isbn": "1"},
                    {"title": "B", "price": 12}
                ],
                "bicycle": {"price": 20, "color": "red"}
            },
            "price": 1
        });
        assert_eq!(sel("$..price", &doc), json!([1, 8, 12, 20]));
        assert_eq!(sel("$.store..price", &doc), json!([8, 12, 20]));
        assert_eq!(sel("$..book[0].title", &doc), json!(["A"]));
        assert_eq!(sel("$..book[-1].title", &doc), json!(["B"]));
        assert_eq!(sel("$..[0].title", &doc), json!(["A", "B"]));
        assert_eq!(
            sel("$..['title','price']", &doc),
            json!([{"title": "A", "price": 8}, {"title": "B", "price": 12}])
        );
        assert_eq!(sel("$..book[?(@.isbn)].title", &doc), json!(["A"]));
        assert_eq!(sel("$..[?(@.price > 10)].title", &doc), json!(["B"]));
        assert_eq!(
            sel("$..*", &json!({"a": {"b": [1]}, "c": 2})),
            json!([{"b": [1]}, 2, [1], 1])
        );
        assert_eq!(
            sel("$..[0]", &json!({"a": [[1, 2], [3]]})),
            json!([[1, 2], 1, 3])
        );
        assert_eq!(sel("$..*", &json!(5)), json!([]));
    }

    #[test]
    fn deep_scan_on_10000_levels() {
        let mut doc = json!({"x": "leaf"});
        for i in 0..10_000 {
            // Not `json!`: it would serialize (recursively) the inner value.
            doc = if i % 2 == 0 {
                let mut map = Map::new();
                map.insert("n".to_string(), doc);
                Value::Object(map)
            } else {
                Value::Array(vec![doc])
            };
        }
        assert_eq!(sel("$..x", &doc), json!(["leaf"]));
        assert_eq!(sel("$..[?(@.x == 'leaf')].x", &doc), json!(["leaf"]));
        assert!(p("$..x").exists(&doc));
        assert!(!p("$..nothing[0]")
            .select(&doc)
            .is_ok_and(|v| v.as_array().is_some_and(|a| !a.is_empty())));
        assert_eq!(sel("$..*", &json!([])), json!([]));
        drop_deep(doc);
    }
}
