//! The vocabulary shared by paths, intrinsic expressions and templates: what an expression may
//! read ([`Scope`]), what a path is evaluated against ([`Root`]), the type asked of an
//! expression ([`Want`]) and how numbers are written in them.
//!
//! A leaf module: it imports none of `paths`, `intrinsics` and `template`, so those three need
//! not import one another.

use crate::shape::Shape;

/// What paths in a template or intrinsic may read.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// `$`.
    pub data: &'a Shape,
    /// `$$` (None where the context object may not be read).
    pub ctx: Option<&'a Shape>,
    /// `$` itself may be selected.
    pub root: bool,
    /// Indefinite paths may be used.
    pub indefinite: bool,
}

/// What a path is evaluated against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Root {
    /// `$`: the state data.
    Data,
    /// `$$`: the context object.
    Context,
}

/// The result type asked of an expression.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Want {
    Any,
    Str,
    Int,
    Bool,
    Arr,
    Obj,
}

/// A number as intrinsic/filter text.
pub fn num_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Workflow variables certainly assigned on every path to a state, with the shapes of their
/// values (docs/semantics/variables.md §12), in a fixed order.
pub type Vars = Vec<(String, Shape)>;

/// The variables both edges guarantee: the names present in both, their shapes joined.
pub fn join_vars(a: &Vars, b: &Vars) -> Vars {
    a.iter()
        .filter_map(|(k, x)| {
            b.iter()
                .find(|(k2, _)| k2 == k)
                .map(|(_, y)| (k.clone(), Shape::join(x, y)))
        })
        .collect()
}

/// The variables after an `Assign` (all values computed before any is set, §12).
pub fn assigned(before: &Vars, set: &Vars) -> Vars {
    let mut out: Vars = before
        .iter()
        .filter(|(k, _)| !set.iter().any(|(k2, _)| k2 == k))
        .cloned()
        .collect();
    out.extend(set.iter().cloned());
    out
}
