//! Payload templates and the JSONPath I/O pipeline (docs/semantics/data-flow.md §2): InputPath →
//! Parameters → (work) → ResultSelector → ResultPath → OutputPath, each generated from the
//! shape of the data it will see and returning the shape of what it produces.

use serde_json::{Map, Value};

use crate::shape::{Kind, Seg, Shape};

use super::data::FRESH_KEYS;
use super::scope::{Root, Scope, Want};
use super::{Ctx, Gen};

/// Output keys of templates.
const TEMPLATE_KEYS: &[&str] = &[
    "value", "out", "x", "y", "count", "label", "list", "obj", "first", "flag", "text", "data",
    "id", "item", "index", "payload", "msg", "n", "my key",
];

/// A deliberate fault to place in a template.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TemplateFault {
    None,
    /// A `.$` path that selects nothing (`States.Runtime`).
    MissingPath,
    /// An intrinsic call that fails at run time.
    Intrinsic,
}

impl Gen {
    /// A payload template over `sc` and the shape of its output. A pending `fault` is placed
    /// and reset to `None`.
    pub fn template(
        &mut self,
        sc: &Scope,
        item: Option<&Shape>,
        depth: usize,
        fault: &mut TemplateFault,
    ) -> (Value, Shape) {
        let mut keys: Vec<&str> = TEMPLATE_KEYS.to_vec();
        let mut m = Map::new();
        let mut shape = vec![];
        let mut have = 0;
        let intrinsics_on = !self.cfg.intrinsics.is_empty();
        // An ItemSelector almost always reads the item.
        if let Some(item) = item {
            if self.t.flag(0.85) {
                let key = keys.remove(self.t.below(keys.len()));
                let (path, s) = if self.t.flag(0.8) {
                    ("$$.Map.Item.Value", item.clone())
                } else {
                    ("$$.Map.Item.Index", Shape::any_int())
                };
                m.insert(format!("{key}.$"), Value::String(path.to_string()));
                shape.push((key.to_string(), s));
                have += 1;
            }
        }
        while self.t.more(have, 1, self.cfg.max_template_keys, 0.55) {
            let key = keys.remove(self.t.below(keys.len()));
            let weights = [
                3,
                4,
                if intrinsics_on {
                    (self.cfg.odds.intrinsic * 10.0).round() as u32
                } else {
                    0
                },
                if depth < self.cfg.max_template_depth {
                    (self.cfg.odds.nested_template * 10.0).round() as u32
                } else {
                    0
                },
            ];
            match self.t.weighted(&weights) {
                1 => {
                    let p = self.value_path(sc, item);
                    m.insert(format!("{key}.$"), Value::String(p.0));
                    shape.push((key.to_string(), p.1));
                }
                2 => {
                    let mut f = *fault == TemplateFault::Intrinsic;
                    match self.intrinsic(sc, Want::Any, &[], &mut f) {
                        Some((text, s)) => {
                            if *fault == TemplateFault::Intrinsic && !f {
                                *fault = TemplateFault::None;
                            }
                            m.insert(format!("{key}.$"), Value::String(text));
                            shape.push((key.to_string(), s));
                        }
                        None => {
                            let v = validator_safe(self.literal(1));
                            shape.push((key.to_string(), Shape::of(&v)));
                            m.insert(key.to_string(), v);
                        }
                    }
                }
                3 => {
                    let (v, s) = self.template(sc, item, depth + 1, fault);
                    m.insert(key.to_string(), v);
                    shape.push((key.to_string(), s));
                }
                _ => {
                    let v = validator_safe(self.literal(1));
                    shape.push((key.to_string(), Shape::of(&v)));
                    m.insert(key.to_string(), v);
                }
            }
            have += 1;
            self.t.end();
            if keys.is_empty() {
                break;
            }
        }
        if *fault != TemplateFault::None && !keys.is_empty() {
            // The fault is placed here if nothing above took it.
            let key = keys.remove(self.t.below(keys.len()));
            let mut placed = false;
            if *fault == TemplateFault::Intrinsic {
                let mut f = true;
                if let Some((text, _)) = self.intrinsic(sc, Want::Any, &[], &mut f) {
                    if !f {
                        m.insert(format!("{key}.$"), Value::String(text));
                        placed = true;
                    }
                }
            }
            if !placed {
                let missing = self.missing_path(sc.data);
                m.insert(format!("{key}.$"), Value::String(missing));
            }
            *fault = TemplateFault::None;
            return (Value::Object(m), Shape::Never);
        }
        (Value::Object(m), Shape::Obj(shape))
    }

    /// The value of a `key.$` template entry that is a path (sometimes into a variable).
    pub fn value_path(&mut self, sc: &Scope, item: Option<&Shape>) -> (String, Shape) {
        if let Some(p) = self.var_path(&|_| true) {
            return (p.text, p.shape);
        }
        if let Some(item) = item {
            if self.t.flag(0.2) {
                if let Some((segs, s)) = self.pick_node(item, false, &|_| true) {
                    let text = self.render(Root::Context, &{
                        let mut p = vec![
                            Seg::Key("Map".into()),
                            Seg::Key("Item".into()),
                            Seg::Key("Value".into()),
                        ];
                        p.extend(segs);
                        p
                    });
                    return (text, s);
                }
            }
        }
        if sc.indefinite && self.t.flag(self.cfg.odds.indefinite_path) {
            if let Some(p) = self.indefinite(sc.data) {
                return (p.text, p.shape);
            }
        }
        match self.pick_path(sc.data, sc.ctx, sc.root, &|_| true) {
            Some(p) => (p.text, p.shape),
            None => ("$".to_string(), sc.data.clone()),
        }
    }

    /// `InputPath`: the field (if any) and the effective input. `passthrough` states (Choice,
    /// Wait, Succeed) output their effective input, so inside a loop they keep `$`.
    pub fn input_path(
        &mut self,
        ctx: &Ctx,
        raw: &Shape,
        ctx_shape: &Shape,
        passthrough: bool,
        fault: bool,
        state: &str,
    ) -> (Option<Value>, Shape) {
        if fault {
            self.fault_note("InputPath selects nothing", state);
            return (Some(Value::String(self.missing_path(raw))), Shape::Never);
        }
        if (passthrough && ctx.guard.is_some()) || !self.t.flag(self.cfg.odds.input_path) {
            return (None, raw.clone());
        }
        self.select_path(raw, ctx_shape)
    }

    /// `OutputPath`: the field (if any) and the state output.
    pub fn output_path(
        &mut self,
        ctx: &Ctx,
        out: &Shape,
        ctx_shape: &Shape,
        fault: bool,
        state: &str,
    ) -> (Option<Value>, Shape) {
        if fault {
            self.fault_note("OutputPath selects nothing", state);
            return (Some(Value::String(self.missing_path(out))), Shape::Never);
        }
        if ctx.guard.is_some() || out.is_never() || !self.t.flag(self.cfg.odds.output_path) {
            return (None, out.clone());
        }
        self.select_path(out, ctx_shape)
    }

    /// A Path for InputPath/OutputPath: `null`, `$`, a member, the context, indefinite, or a
    /// variable.
    fn select_path(&mut self, data: &Shape, ctx_shape: &Shape) -> (Option<Value>, Shape) {
        if let Some(p) = self.var_path(&|s| !s.is_never()) {
            return (Some(Value::String(p.text)), p.shape);
        }
        if self.t.flag(self.cfg.odds.null_path) {
            return (Some(Value::Null), Shape::Obj(vec![]));
        }
        if self.t.flag(self.cfg.odds.indefinite_path) {
            if let Some(p) = self.indefinite(data) {
                return (Some(Value::String(p.text)), p.shape);
            }
        }
        let sc = Scope {
            data,
            ctx: Some(ctx_shape),
            root: true,
            indefinite: false,
        };
        match self.pick_path(sc.data, sc.ctx, true, &|s| !matches!(s, Shape::Never)) {
            Some(p) => (Some(Value::String(p.text)), p.shape),
            None => (Some(Value::String("$".into())), data.clone()),
        }
    }

    /// `ResultPath` (also a catcher's): the field (if any) and the state output. `raw` is the
    /// state's raw input, `result` what is placed. Inside a loop the guarded members are never
    /// replaced (ResultPath is neither absent nor `$`, and never targets a guarded member).
    pub fn result_path(
        &mut self,
        ctx: &Ctx,
        raw: &Shape,
        result: Shape,
        fault: bool,
        state: &str,
        catcher: bool,
    ) -> (Option<Value>, Shape) {
        if fault {
            // Through a member that is not an object: the result cannot be placed.
            let scalar = self.pick_node(raw, false, &|s| {
                matches!(s.kind(), Kind::Str | Kind::Num | Kind::Bool)
            });
            if let Some((mut segs, _)) = scalar {
                if !segs
                    .iter()
                    .any(|s| matches!(s, Seg::Key(k) if ctx.guarded(k)))
                {
                    self.fault_note("ResultPath runs through a scalar", state);
                    segs.push(Seg::Key("deeper".into()));
                    let text = self.render(Root::Data, &segs);
                    return (Some(Value::String(text)), Shape::Never);
                }
            }
        }
        let guarded = ctx.guard.is_some();
        let p = if catcher {
            0.6
        } else {
            self.cfg.odds.result_path
        };
        if !guarded && !self.t.flag(p) {
            return (None, result);
        }
        let obj = raw.kind() == Kind::Obj;
        let fresh: Vec<&str> = FRESH_KEYS
            .iter()
            .copied()
            .filter(|k| raw.member(k).is_none())
            .collect();
        let existing: Vec<(Vec<Seg>, Shape)> = raw
            .nodes(64)
            .into_iter()
            .filter(|(p, _)| matches!(p.last(), Some(Seg::Key(_))))
            .filter(|(p, _)| !matches!(p.first(), Some(Seg::Key(k)) if ctx.guarded(k)))
            .filter(|(p, _)| p.iter().all(|s| matches!(s, Seg::Key(_))))
            .map(|(p, s)| (p, s.clone()))
            .collect();
        let objects: Vec<Vec<Seg>> = existing
            .iter()
            .filter(|(_, s)| s.kind() == Kind::Obj)
            .map(|(p, _)| p.clone())
            .collect();
        let weights = [
            if guarded { 0 } else { 1 },                     // "$"
            (self.cfg.odds.null_path * 20.0).ceil() as u32,  // null
            if obj && !fresh.is_empty() { 4 } else { 0 },    // new member
            if obj && !existing.is_empty() { 3 } else { 0 }, // existing member
            if obj && !objects.is_empty() { 2 } else { 0 },  // new member of an existing object
            if obj && fresh.len() >= 2 { 1 } else { 0 },     // two new levels
        ];
        let weights = if weights.iter().all(|&w| w == 0) {
            [0, 1, 0, 0, 0, 0]
        } else {
            weights
        };
        let segs: Vec<Seg> = match self.t.weighted(&weights) {
            0 => return (Some(Value::String("$".into())), result),
            1 => return (Some(Value::Null), raw.clone()),
            2 => vec![Seg::Key(self.t.pick(&fresh).to_string())],
            3 => self.t.pick(&existing).0.clone(),
            4 => {
                let mut p = self.t.pick(&objects).clone();
                p.push(Seg::Key(self.t.pick(FRESH_KEYS).to_string()));
                p
            }
            _ => {
                let a = self.t.pick(&fresh).to_string();
                vec![Seg::Key(a), Seg::Key(self.t.pick(FRESH_KEYS).to_string())]
            }
        };
        let out = if result.is_never() {
            Shape::Never
        } else {
            raw.set(&segs, result).unwrap_or(Shape::Any)
        };
        let text = self.render(Root::Data, &segs);
        (Some(Value::String(text)), out)
    }
}

/// asl-validator 4.0.0 rejects an empty string, or one with a control character, inside an array
/// of a payload template (AWS accepts both); such literals get spaces instead, so generated
/// machines pass both validators.
pub fn validator_safe(v: Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|x| match x {
                    Value::String(s) if s.is_empty() => Value::String(" ".into()),
                    Value::String(s) if s.chars().any(char::is_control) => Value::String(
                        s.chars()
                            .map(|c| if c.is_control() { ' ' } else { c })
                            .collect(),
                    ),
                    other => validator_safe(other),
                })
                .collect(),
        ),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, x)| (k, validator_safe(x))).collect())
        }
        other => other,
    }
}
