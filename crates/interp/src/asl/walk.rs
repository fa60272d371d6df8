//! Walking a definition's JSON: every graph (a `StartAt` + `States` object: the top level, each
//! Parallel branch, each Map `ItemProcessor`/`Iterator`; ASL spec "Parallel State", "Map State")
//! and every state in it, each with its JSON Pointer, and the transition targets a state names.
//!
//! The walk is structural and works on any JSON, valid or not: it follows `Branches` (when an
//! array), `ItemProcessor` and `Iterator` of every state whatever its `Type`, yields a graph for
//! each of them even when it is not an object (its [`Graph::states`] is then `None`), and never
//! recurses, so any nesting depth is safe. Order: graphs outermost first (pre-order: a graph,
//! then the graphs inside its first state — `Branches` in order, then `ItemProcessor`, then
//! `Iterator` — with everything inside them, then those inside its second state, …); states graph
//! by graph in document order. So [`find`] returns a top-level state before a nested one.
//!
//! Pointers follow RFC 6901 ([`pointer_escape`]): `""` for the top level,
//! `/States/P/Branches/0` for a branch, `/States/P/Branches/0/States/X` for a state in it,
//! `/States/M/ItemProcessor/States/Y`.

use serde_json::{Map, Value};

use super::model::pointer_escape;

/// Where a graph sits in the definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphKind {
    /// The definition itself.
    Top,
    /// Item `i` of a state's `Branches`.
    Branch(usize),
    /// A state's `ItemProcessor`.
    ItemProcessor,
    /// A state's `Iterator` (the deprecated spelling of `ItemProcessor`).
    Iterator,
}

/// One graph: a place where the definition holds (or should hold) `StartAt` + `States`.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph<'a> {
    /// The graph as written: normally an object, but any JSON in a broken definition.
    pub value: &'a Value,
    /// JSON Pointer of the graph (`""` for the top level).
    pub pointer: String,
    pub kind: GraphKind,
    /// How many Parallel/Map states enclose the graph (0 for the top level).
    pub depth: usize,
    /// Name of the state holding the graph; `None` for the top level.
    pub parent: Option<&'a str>,
}

impl<'a> Graph<'a> {
    /// The `States` object, when there is one.
    pub fn states(&self) -> Option<&'a Map<String, Value>> {
        self.value.get("States").and_then(Value::as_object)
    }

    /// The `StartAt` name, when it is a string.
    pub fn start_at(&self) -> Option<&'a str> {
        self.value.get("StartAt").and_then(Value::as_str)
    }

    /// JSON Pointer of the state `name` of this graph.
    pub fn state_pointer(&self, name: &str) -> String {
        format!("{}/States/{}", self.pointer, pointer_escape(name))
    }

    /// The states of this graph, in document order.
    pub fn state_refs(&self) -> impl Iterator<Item = StateRef<'a>> + '_ {
        self.states()
            .into_iter()
            .flatten()
            .map(move |(name, value)| StateRef {
                name,
                value,
                pointer: self.state_pointer(name),
                graph: self.clone(),
            })
    }
}

/// One state of a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct StateRef<'a> {
    pub name: &'a str,
    /// The state as written: normally an object.
    pub value: &'a Value,
    /// JSON Pointer of the state, e.g. `/States/P/Branches/0/States/X`.
    pub pointer: String,
    /// The graph the state belongs to: its transitions may only name states of that graph.
    pub graph: Graph<'a>,
}

impl<'a> StateRef<'a> {
    /// The state object, when it is one.
    pub fn object(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// The `Type` field, when it is a string.
    pub fn state_type(&self) -> Option<&'a str> {
        self.value.get("Type").and_then(Value::as_str)
    }

    /// The transition targets the state names (see [`targets`]).
    pub fn targets(&self) -> Vec<Target<'a>> {
        self.object().map(targets).unwrap_or_default()
    }

    /// The graphs directly inside this state: `Branches[*]`, then `ItemProcessor`, `Iterator`.
    pub fn graphs(&self) -> Vec<Graph<'a>> {
        nested(self.name, self.value, &self.pointer, self.graph.depth + 1)
    }
}

fn nested<'a>(name: &'a str, state: &'a Value, pointer: &str, depth: usize) -> Vec<Graph<'a>> {
    let mut out = Vec::new();
    let graph = |value, pointer, kind| Graph {
        value,
        pointer,
        kind,
        depth,
        parent: Some(name),
    };
    if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
        for (i, b) in branches.iter().enumerate() {
            out.push(graph(
                b,
                format!("{pointer}/Branches/{i}"),
                GraphKind::Branch(i),
            ));
        }
    }
    for (key, kind) in [
        ("ItemProcessor", GraphKind::ItemProcessor),
        ("Iterator", GraphKind::Iterator),
    ] {
        if let Some(p) = state.get(key) {
            out.push(graph(p, format!("{pointer}/{key}"), kind));
        }
    }
    out
}

/// The iterator of [`graphs`].
#[derive(Debug, Clone)]
pub struct Graphs<'a> {
    /// Graphs still to visit, the next one last.
    pending: Vec<Graph<'a>>,
}

impl<'a> Iterator for Graphs<'a> {
    type Item = Graph<'a>;

    fn next(&mut self) -> Option<Graph<'a>> {
        let graph = self.pending.pop()?;
        let inner: Vec<Graph<'a>> = graph
            .states()
            .into_iter()
            .flatten()
            .flat_map(|(name, state)| {
                nested(name, state, &graph.state_pointer(name), graph.depth + 1)
            })
            .collect();
        self.pending.extend(inner.into_iter().rev());
        Some(graph)
    }
}

/// Every graph of a definition, outermost first (see the module docs for the order).
pub fn graphs(definition: &Value) -> Graphs<'_> {
    Graphs {
        pending: vec![Graph {
            value: definition,
            pointer: String::new(),
            kind: GraphKind::Top,
            depth: 0,
            parent: None,
        }],
    }
}

/// Every state of a definition, nested ones included: graph by graph, in the order of
/// [`graphs`], each graph's states in document order.
pub fn states(definition: &Value) -> impl Iterator<Item = StateRef<'_>> {
    graphs(definition).flat_map(|g| g.state_refs().collect::<Vec<_>>())
}

/// The first state named `name` anywhere in the definition (top-level states first).
pub fn find<'a>(definition: &'a Value, name: &str) -> Option<StateRef<'a>> {
    states(definition).find(|s| s.name == name)
}

/// Which field of a state names a transition target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetField {
    Next,
    /// A Choice state's `Default`.
    Default,
    /// `Next` of top-level Choice rule `i`.
    Choice(usize),
    /// `Next` of catcher `i`.
    Catch(usize),
}

impl TargetField {
    /// JSON Pointer of the field relative to its state: `/Next`, `/Default`,
    /// `/Choices/0/Next`, `/Catch/1/Next`.
    pub fn pointer(self) -> String {
        match self {
            TargetField::Next => "/Next".to_string(),
            TargetField::Default => "/Default".to_string(),
            TargetField::Choice(i) => format!("/Choices/{i}/Next"),
            TargetField::Catch(i) => format!("/Catch/{i}/Next"),
        }
    }
}

/// A state name a state mentions as a transition target, and the field that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub name: &'a str,
    pub field: TargetField,
}

/// The transition targets a state object names, whatever its `Type`: `Next`, `Default`, then
/// each `Choices[i].Next`, then each `Catch[i].Next` (string values only, nothing checked).
pub fn targets(state: &Map<String, Value>) -> Vec<Target<'_>> {
    let mut out = Vec::new();
    for (key, field) in [
        ("Next", TargetField::Next),
        ("Default", TargetField::Default),
    ] {
        if let Some(name) = state.get(key).and_then(Value::as_str) {
            out.push(Target { name, field });
        }
    }
    for (key, field) in [
        ("Choices", TargetField::Choice as fn(usize) -> TargetField),
        ("Catch", TargetField::Catch),
    ] {
        if let Some(items) = state.get(key).and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                if let Some(name) = item.get("Next").and_then(Value::as_str) {
                    out.push(Target {
                        name,
                        field: field(i),
                    });
                }
            }
        }
    }
    out
}

/// Every state name a state object mentions in `Next`, `Default`, `Choices[].Next`, `Catch[].Next`.
pub fn mentions(obj: &Map<String, Value>) -> Vec<String> {
    targets(obj).iter().map(|t| t.name.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested_def() -> Value {
        json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "M", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
                {"StartAt": "B", "States": {"B": {"Type": "Map", "End": true,
                    "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}}}}}]},
            "M": {"Type": "Map", "End": true,
                "Iterator": {"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Succeed"}}}}}})
    }

    #[test]
    fn graphs_outermost_first_with_pointers_kinds_and_depths() {
        let def = nested_def();
        let got: Vec<(String, GraphKind, usize, Option<&str>)> = graphs(&def)
            .map(|g| (g.pointer, g.kind, g.depth, g.parent))
            .collect();
        assert_eq!(
            got,
            vec![
                (String::new(), GraphKind::Top, 0, None),
                (
                    "/States/P/Branches/0".into(),
                    GraphKind::Branch(0),
                    1,
                    Some("P")
                ),
                (
                    "/States/P/Branches/1".into(),
                    GraphKind::Branch(1),
                    1,
                    Some("P")
                ),
                (
                    "/States/P/Branches/1/States/B/ItemProcessor".into(),
                    GraphKind::ItemProcessor,
                    2,
                    Some("B")
                ),
                (
                    "/States/M/Iterator".into(),
                    GraphKind::Iterator,
                    1,
                    Some("M")
                ),
            ]
        );
    }

    #[test]
    fn states_graph_by_graph() {
        let def = nested_def();
        let got: Vec<(&str, String, String)> = states(&def)
            .map(|s| (s.name, s.pointer, s.graph.pointer))
            .collect();
        let row = |n, p: &str, g: &str| (n, p.to_string(), g.to_string());
        assert_eq!(
            got,
            vec![
                row("P", "/States/P", ""),
                row("M", "/States/M", ""),
                row("A", "/States/P/Branches/0/States/A", "/States/P/Branches/0"),
                row("B", "/States/P/Branches/1/States/B", "/States/P/Branches/1"),
                row(
                    "C",
                    "/States/P/Branches/1/States/B/ItemProcessor/States/C",
                    "/States/P/Branches/1/States/B/ItemProcessor"
                ),
                row(
                    "a/b~c",
                    "/States/M/Iterator/States/a~1b~0c",
                    "/States/M/Iterator"
                ),
            ]
        );
        for s in states(&def) {
            assert_eq!(def.pointer(&s.pointer), Some(s.value), "{}", s.pointer);
            assert_eq!(def.pointer(&s.graph.pointer), Some(s.graph.value));
        }
    }

    #[test]
    fn nested_graphs_of_a_state() {
        let def = nested_def();
        let p = find(&def, "P").unwrap();
        let inner: Vec<String> = p.graphs().into_iter().map(|g| g.pointer).collect();
        assert_eq!(inner, ["/States/P/Branches/0", "/States/P/Branches/1"]);
        assert_eq!(p.state_type(), Some("Parallel"));
        assert!(find(&def, "A").unwrap().graphs().is_empty());
    }

    #[test]
    fn find_prefers_top_level_states() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "X", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}]},
            "X": {"Type": "Succeed"}}});
        let x = find(&def, "X").unwrap();
        assert_eq!(x.pointer, "/States/X");
        assert_eq!(x.graph.kind, GraphKind::Top);
        assert!(find(&def, "Nope").is_none());
    }

    #[test]
    fn broken_definitions_are_walked_structurally() {
        // Any JSON: no graph has states, nothing panics.
        for v in [json!(null), json!([1]), json!("x"), json!({"States": []})] {
            assert_eq!(graphs(&v).count(), 1);
            assert_eq!(states(&v).count(), 0);
        }
        // Non-object branches and processors are graphs without states; nested fields are
        // followed whatever the state's Type.
        let def = json!({"StartAt": "S", "States": {
            "S": {"Type": "Pass", "Branches": [1, {"States": {"T": 2}}], "ItemProcessor": "x"},
            "U": 3}});
        let g: Vec<(String, bool)> = graphs(&def)
            .map(|g| (g.pointer.clone(), g.states().is_some()))
            .collect();
        assert_eq!(
            g,
            vec![
                (String::new(), true),
                ("/States/S/Branches/0".into(), false),
                ("/States/S/Branches/1".into(), true),
                ("/States/S/ItemProcessor".into(), false),
            ]
        );
        let names: Vec<&str> = states(&def).map(|s| s.name).collect();
        assert_eq!(names, ["S", "U", "T"]);
        assert!(find(&def, "U").unwrap().object().is_none());
        assert!(find(&def, "U").unwrap().targets().is_empty());
    }

    #[test]
    fn deep_nesting() {
        let mut def = json!({"StartAt": "L", "States": {"L": {"Type": "Succeed"}}});
        for _ in 0..300 {
            def = json!({"StartAt": "L", "States": {"L": {"Type": "Parallel", "End": true,
                "Branches": [def]}}});
        }
        assert_eq!(graphs(&def).count(), 301);
        assert_eq!(graphs(&def).last().unwrap().depth, 300);
        assert_eq!(states(&def).count(), 301);
    }

    #[test]
    fn targets_and_mentions() {
        let state = json!({"Type": "Choice", "Next": "N", "Default": "D",
            "Choices": [{"Next": "C0"}, 1, {"Next": 5}, {"Next": "C3"}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "K0"}]});
        let obj = state.as_object().unwrap();
        let got: Vec<(&str, String)> = targets(obj)
            .iter()
            .map(|t| (t.name, t.field.pointer()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("N", "/Next".to_string()),
                ("D", "/Default".to_string()),
                ("C0", "/Choices/0/Next".to_string()),
                ("C3", "/Choices/3/Next".to_string()),
                ("K0", "/Catch/0/Next".to_string()),
            ]
        );
        assert_eq!(mentions(obj), ["N", "D", "C0", "C3", "K0"]);
        assert!(mentions(&Map::new()).is_empty());
    }
}
