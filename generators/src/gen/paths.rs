//! Paths that resolve (docs/semantics/data-flow.md §2.3): reference paths built from a [`Shape`]'s certainly
//! present members, indefinite paths with their result shapes, and deliberately missing ones.

use crate::shape::{Kind, Seg, Shape};

use super::data::ABSENT;
use super::scope::{num_text, Root};
use super::Gen;

/// Most nodes considered when picking a path.
const NODE_LIMIT: usize = 64;

/// Member names that can be written with dot notation.
fn is_ident(k: &str) -> bool {
    let mut cs = k.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Context fields whose value differs between runs and implementations.
pub fn nondeterministic_context(segs: &[Seg]) -> bool {
    let key = |i: usize| match segs.get(i) {
        Some(Seg::Key(k)) => k.as_str(),
        _ => "",
    };
    match key(0) {
        "Execution" => matches!(key(1), "" | "Id" | "Name" | "RoleArn" | "StartTime"),
        "State" => matches!(key(1), "" | "EnteredTime"),
        "StateMachine" | "" => true,
        _ => false,
    }
}

/// A chosen path: its text and the shape of what it selects.
#[derive(Clone, Debug)]
pub struct Picked {
    pub text: String,
    pub shape: Shape,
}

impl Gen {
    /// Renders a path, choosing dot or bracket notation per member.
    pub fn render(&mut self, root: Root, segs: &[Seg]) -> String {
        let mut out = String::from(match root {
            Root::Data => "$",
            Root::Context => "$$",
        });
        if root == Root::Context && nondeterministic_context(segs) {
            self.nondet.insert("context_object");
        }
        for seg in segs {
            match seg {
                Seg::Key(k) => {
                    if is_ident(k) && !self.t.flag(self.cfg.odds.bracket_notation) {
                        out.push('.');
                        out.push_str(k);
                    } else {
                        out.push_str("['");
                        out.push_str(k);
                        out.push_str("']");
                    }
                }
                Seg::Idx(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// A node of `shape` satisfying `pred` (the root counts only with `root`).
    pub fn pick_node(
        &mut self,
        shape: &Shape,
        root: bool,
        pred: &dyn Fn(&Shape) -> bool,
    ) -> Option<(Vec<Seg>, Shape)> {
        self.pick_node_where(shape, root, &|_, s| pred(s))
    }

    /// A node of `shape` whose path and shape satisfy `pred`.
    pub fn pick_node_where(
        &mut self,
        shape: &Shape,
        root: bool,
        pred: &dyn Fn(&[Seg], &Shape) -> bool,
    ) -> Option<(Vec<Seg>, Shape)> {
        let nodes: Vec<(Vec<Seg>, Shape)> = shape
            .nodes(NODE_LIMIT)
            .into_iter()
            .filter(|(p, s)| (root || !p.is_empty()) && !s.is_never() && pred(p, s))
            .map(|(p, s)| (p, s.clone()))
            .collect();
        if nodes.is_empty() {
            return None;
        }
        let i = self.t.below(nodes.len());
        nodes.into_iter().nth(i)
    }

    /// A path to a node satisfying `pred`, in the data or (sometimes) in the context object.
    /// `root` allows `$` itself. Only reference-path syntax is used.
    pub fn pick_path(
        &mut self,
        data: &Shape,
        ctx: Option<&Shape>,
        root: bool,
        pred: &dyn Fn(&Shape) -> bool,
    ) -> Option<Picked> {
        if let Some(ctx) = ctx {
            if self.t.flag(self.cfg.odds.context_object) {
                // In deterministic mode `$$.Execution` and `$$.State` themselves are out: their
                // values hold ids and times.
                let det = self.cfg.deterministic;
                let usable = move |segs: &[Seg], s: &Shape| {
                    pred(s) && (!det || !nondeterministic_context(segs))
                };
                if let Some((segs, shape)) = self.pick_node_where(ctx, false, &usable) {
                    let text = self.render(Root::Context, &segs);
                    return Some(Picked { text, shape });
                }
            }
        }
        let (segs, shape) = self.pick_node(data, root, pred)?;
        let text = self.render(Root::Data, &segs);
        Some(Picked { text, shape })
    }

    /// A path whose value is certainly missing from `data` (a deliberate fault).
    pub fn missing_path(&mut self, data: &Shape) -> String {
        let parent = self
            .pick_node(data, true, &|s| s.kind() == Kind::Obj)
            .map(|(p, _)| p)
            .unwrap_or_default();
        let mut segs = parent;
        segs.push(Seg::Key(ABSENT.to_string()));
        if self.t.flag(0.3) {
            segs.push(Seg::Key("deeper".to_string()));
        }
        self.render(Root::Data, &segs)
    }

    /// An indefinite path (`[*]`, `..`, slices, unions, filters) over `data` and the shape of
    /// the array it selects. Only for fields that take a Path (not a reference path).
    pub fn indefinite(&mut self, data: &Shape) -> Option<Picked> {
        let (segs, arr) = self.pick_node(data, true, &|s| s.kind() == Kind::Arr)?;
        let base = self.render(Root::Data, &segs);
        let elem = arr.element();
        let len = arr.known_len();
        let member = match &elem {
            Shape::Obj(ms) if !ms.is_empty() => Some(ms[self.t.below(ms.len())].clone()),
            _ => None,
        };
        let variant = self.t.below(7);
        let picked = match variant {
            1 => Picked {
                // Slice: the first two elements.
                text: format!("{base}[0:2]"),
                shape: match &arr {
                    Shape::Arr(xs) => Shape::Arr(xs.iter().take(2).cloned().collect()),
                    _ => Shape::List(Box::new(elem)),
                },
            },
            2 => Picked {
                // Negative slice: the last element.
                text: format!("{base}[-1:]"),
                shape: match &arr {
                    Shape::Arr(xs) => Shape::Arr(xs.last().cloned().into_iter().collect()),
                    _ => Shape::List(Box::new(elem)),
                },
            },
            3 => Picked {
                text: format!("{base}[0,1]"),
                shape: match (&arr, len) {
                    (Shape::Arr(xs), Some(n)) if n >= 2 => Shape::Arr(xs[..2].to_vec()),
                    _ => Shape::List(Box::new(elem)),
                },
            },
            4 if member.is_some() => {
                let (k, s) = member.unwrap_or_default_member();
                let key = if is_ident(&k) {
                    format!(".{k}")
                } else {
                    format!("['{k}']")
                };
                Picked {
                    text: format!("{base}[*]{key}"),
                    shape: match len {
                        Some(n) => Shape::Arr(vec![s; n]),
                        None => Shape::List(Box::new(s)),
                    },
                }
            }
            5 if member.is_some() => {
                let (k, s) = member.unwrap_or_default_member();
                let cond = match &s {
                    Shape::Num { val: Some(v), .. } => {
                        format!("@.{k} >= {}", num_text(*v))
                    }
                    Shape::Str(Some(v)) if !v.contains(['\'', '\\', '\n', '\t']) => {
                        format!("@.{k} == '{v}'")
                    }
                    _ => format!("@.{k}"),
                };
                if !is_ident(&k) {
                    return None;
                }
                Picked {
                    text: format!("{base}[?({cond})]"),
                    shape: Shape::List(Box::new(elem)),
                }
            }
            6 if member.is_some() => {
                let (k, _) = member.unwrap_or_default_member();
                if !is_ident(&k) {
                    return None;
                }
                // Deep scan: every member named k anywhere below the root.
                Picked {
                    text: format!("$..{k}"),
                    shape: Shape::List(Box::new(Shape::Any)),
                }
            }
            _ => Picked {
                text: format!("{base}[*]"),
                shape: match &arr {
                    Shape::Arr(xs) => Shape::Arr(xs.clone()),
                    _ => Shape::List(Box::new(elem)),
                },
            },
        };
        Some(picked)
    }
}

trait MemberExt {
    fn unwrap_or_default_member(self) -> (String, Shape);
}

impl MemberExt for Option<(String, Shape)> {
    fn unwrap_or_default_member(self) -> (String, Shape) {
        self.unwrap_or_else(|| ("id".to_string(), Shape::Any))
    }
}
