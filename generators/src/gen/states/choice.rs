//! Choice states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html>) and
//! their rules.
//!
//! The state: a list of rules, each jumping forward, and a `Default` back to the spine; without
//! `Default` the first rule leads to the next block and no match is `States.NoChoiceMatched`.
//!
//! The rules (docs/semantics/choice.md §5): data-test rules for every operator and its `…Path`
//! variant, nested `And`/`Or`/`Not`, deliberate type mismatches (which evaluate to false) and
//! missing variables (`IsPresent` never fails; any other operator on a missing path is a
//! run-time error, used as a fault).

use serde_json::{json, Map, Value};

use crate::shape::{Kind, Shape};

use super::{put, Fault};
use crate::gen::data::{number, PAST_TIMESTAMPS, STRINGS, TIMESTAMPS};
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::{wrap, JScope};
use crate::gen::scope::{assigned, Root, Scope, Want};
use crate::gen::{Acc, Ctx, Gen, NO_CHOICE};

/// Operator families.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    String,
    Numeric,
    Boolean,
    Timestamp,
    Type,
}

const STRING_OPS: [&str; 6] = [
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
    "StringMatches",
];
const NUMERIC_OPS: [&str; 5] = [
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
];
const TIMESTAMP_OPS: [&str; 5] = [
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
];
const TYPE_OPS: [&str; 6] = [
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// Every comparison operator of JSONPath Choice rules (for stats and tests).
pub const ALL_OPERATORS: [&str; 42] = [
    "And",
    "Or",
    "Not",
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// What a Choice rule may read.
pub struct ChoiceScope<'a> {
    pub data: &'a Shape,
    pub ctx: &'a Shape,
}

fn family_of(s: &Shape) -> Family {
    match s.kind() {
        Kind::Str if s.is_timestamp() => Family::Timestamp,
        Kind::Str => Family::String,
        Kind::Num => Family::Numeric,
        Kind::Bool => Family::Boolean,
        _ => Family::Type,
    }
}

fn family_matches(f: Family, s: &Shape) -> bool {
    match f {
        Family::String => s.kind() == Kind::Str,
        Family::Numeric => s.kind() == Kind::Num,
        Family::Boolean => s.kind() == Kind::Bool,
        Family::Timestamp => s.is_timestamp(),
        Family::Type => true,
    }
}

/// `*` matches any run; a literal `*` or `\` is escaped with `\` (docs/semantics/choice.md §5.2).
fn escape_pattern(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c == '*' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Gen {
    pub fn choice_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        if self.jsonata() {
            return self.choice_jsonata(ctx, acc, links, here, raw);
        }
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::InputPath, Fault::OutputPath, Fault::Variable]);
        let mut m = self.new_state("Choice");
        let cshape = self.context(&name, false, None);
        let (ip, eff) = self.input_path(
            ctx,
            &raw,
            &cshape,
            true,
            fault == Some(Fault::InputPath),
            &name,
        );
        put(&mut m, "InputPath", ip);
        let (op, out) =
            self.output_path(ctx, &eff, &cshape, fault == Some(Fault::OutputPath), &name);
        let with_default = !ctx.may_fail || self.t.flag(self.cfg.odds.choice_default);
        let mut var_fault = fault == Some(Fault::Variable);
        let sc = ChoiceScope {
            data: &eff,
            ctx: &cshape,
        };
        // `$` in a Choice state's Assign (and a rule's) is its effective input (§12).
        let asc = Scope {
            data: &eff,
            ctx: Some(&cshape),
            root: true,
            indefinite: true,
        };
        let mut rules = vec![];
        while self.t.more(rules.len(), 1, self.cfg.max_choice_rules, 0.5) {
            let mut rule = self.rule(&sc, 0, &mut var_fault, &name);
            // A matched rule's Assign replaces the state's; without one nothing is assigned.
            links.out_vars = match self.assign_jsonpath(ctx, &asc) {
                Some((a, set)) => {
                    if let Value::Object(r) = &mut rule {
                        r.insert("Assign".into(), a);
                    }
                    assigned(&self.vars, &set)
                }
                None => self.vars.clone(),
            };
            let next = if !with_default && rules.is_empty() {
                // Without Default the next block is reached through the first rule.
                let slot = here.fall.unwrap_or(0);
                links.goto(slot, out.clone())
            } else {
                self.target(ctx, acc, links, here, out.clone())
            };
            if let Value::Object(r) = &mut rule {
                r.insert("Next".into(), json!(next));
            }
            rules.push(rule);
            self.t.end();
        }
        m.insert("Choices".into(), Value::Array(rules));
        links.out_vars = self.state_assign(ctx, &mut m, Some(&asc), None);
        if with_default {
            let slot = here.fall.unwrap_or(0);
            let next = links.goto(slot, out.clone());
            m.insert("Default".into(), json!(next));
        } else {
            self.fault_note("Choice has no Default", &name);
            acc.errs.insert(NO_CHOICE.to_string());
        }
        put(&mut m, "OutputPath", op);
        if fault == Some(Fault::Variable) && var_fault {
            // The rule generator found no place for it; nothing failed.
        } else {
            Self::fault_errs(fault, &mut acc.errs);
        }
        acc.states.insert(name, Value::Object(m));
    }
}

impl Gen {
    /// A JSONata Choice (docs/semantics/choice.md §5.5): rules with a boolean `Condition`,
    /// each maybe with its own `Assign` and `Output`; the state's `Output` and `Assign` apply
    /// when it falls through to `Default`.
    fn choice_jsonata(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let mut m = self.new_state("Choice");
        let cshape = self.context(&name, false, None);
        let sc = JScope::of_input(&raw, &cshape);
        let with_default = !ctx.may_fail || self.t.flag(self.cfg.odds.choice_default);
        let (state_output, state_out) = self.joutput(ctx, &sc, raw.clone(), true, false, &name);
        let mut rules = vec![];
        while self.t.more(rules.len(), 1, self.cfg.max_choice_rules, 0.5) {
            let mut r = Map::new();
            let (cond, _) = self.jexpr(&sc, Want::Bool, 0);
            r.insert("Condition".into(), wrap(&cond));
            links.out_vars = match self.assign_jsonata(ctx, &sc) {
                Some((a, set)) => {
                    r.insert("Assign".into(), a);
                    assigned(&self.vars, &set)
                }
                None => self.vars.clone(),
            };
            let out = if ctx.guard.is_none() && self.t.flag(self.cfg.odds.output_path / 2.0) {
                let (v, s) = self.jvalue(&sc);
                r.insert("Output".into(), v);
                s
            } else {
                state_out.clone()
            };
            let next = if !with_default && rules.is_empty() {
                let slot = here.fall.unwrap_or(0);
                links.goto(slot, out)
            } else {
                self.target(ctx, acc, links, here, out)
            };
            r.insert("Next".into(), json!(next));
            rules.push(Value::Object(r));
            self.t.end();
        }
        m.insert("Choices".into(), Value::Array(rules));
        links.out_vars = self.state_assign(ctx, &mut m, None, Some(&sc));
        if with_default {
            let slot = here.fall.unwrap_or(0);
            let next = links.goto(slot, state_out);
            m.insert("Default".into(), json!(next));
        } else {
            self.fault_note("Choice has no Default", &name);
            acc.errs.insert(NO_CHOICE.to_string());
        }
        if let Some(o) = state_output {
            m.insert("Output".into(), o);
        }
        acc.states.insert(name, Value::Object(m));
    }

    /// A Choice rule: a condition, without `Next` (the caller adds it at top level).
    /// `fault` asks for a missing Variable with a non-`IsPresent` operator.
    pub fn rule(&mut self, sc: &ChoiceScope, depth: usize, fault: &mut bool, state: &str) -> Value {
        if depth < self.cfg.max_rule_depth && self.t.flag(self.cfg.odds.nested_rule) {
            match self.t.below(3) {
                0 => {
                    let inner = self.rule(sc, depth + 1, fault, state);
                    return json!({ "Not": inner });
                }
                which => {
                    let mut rules = vec![];
                    while self.t.more(rules.len(), 1, 3, 0.5) {
                        let r = self.rule(sc, depth + 1, fault, state);
                        rules.push(r);
                        self.t.end();
                    }
                    let op = if which == 1 { "And" } else { "Or" };
                    let mut m = Map::new();
                    m.insert(op.into(), Value::Array(rules));
                    return Value::Object(m);
                }
            }
        }
        self.data_test(sc, fault, state)
    }

    fn data_test(&mut self, sc: &ChoiceScope, fault: &mut bool, state: &str) -> Value {
        let mut m = Map::new();
        // The variable: usually data, sometimes the context object, sometimes missing.
        let source = self.t.weighted(&[
            12,
            (self.cfg.odds.context_object * 20.0).round() as u32,
            2,
            if *fault { 30 } else { 0 },
            if self.vars.is_empty() {
                0
            } else {
                (self.cfg.odds.variable * 20.0).round() as u32
            },
        ]);
        let (var, shape) = match source {
            4 => {
                // A variable (§12): `$name` or a path into it.
                let (vname, vshape) = self.t.pick(&self.vars).clone();
                match self.pick_node(&vshape, true, &|s| !s.is_never()) {
                    Some((segs, s)) => {
                        let text = self.render(Root::Data, &segs);
                        (format!("${vname}{}", &text[1..]), s)
                    }
                    None => match self.pick_node(sc.data, true, &|s| !s.is_never()) {
                        Some((segs, s)) => (self.render(Root::Data, &segs), s),
                        None => ("$".to_string(), sc.data.clone()),
                    },
                }
            }
            1 => {
                // Context: deterministic fields, or opaque ones tested only for their type.
                let opaque = self.t.flag(0.4);
                if opaque {
                    let field = *self.t.pick(&[
                        "$$.State.EnteredTime",
                        "$$.Execution.StartTime",
                        "$$.Execution.Id",
                    ]);
                    m.insert("Variable".into(), Value::String(field.to_string()));
                    let timestamp = field != "$$.Execution.Id";
                    // Every generated timestamp lies in the past, so comparisons with the entry
                    // or start time have a fixed result.
                    let op = *self.t.pick(&TIMESTAMP_OPS);
                    match self.t.below(6) {
                        0 => m.insert("IsString".into(), json!(true)),
                        1 => m.insert("IsPresent".into(), json!(true)),
                        2 if timestamp => m.insert("IsTimestamp".into(), json!(true)),
                        3 if timestamp => m.insert(op.into(), json!(self.t.pick(PAST_TIMESTAMPS))),
                        4 if timestamp => {
                            match self.pick_node(sc.data, false, &|s| s.is_past_timestamp()) {
                                Some((segs, _)) => {
                                    let p = self.render(Root::Data, &segs);
                                    m.insert(format!("{op}Path"), json!(p))
                                }
                                None => m.insert(op.into(), json!(self.t.pick(PAST_TIMESTAMPS))),
                            }
                        }
                        _ => m.insert("StringMatches".into(), json!("*:*")),
                    };
                    return Value::Object(m);
                }
                match self.pick_node(sc.ctx, false, &|s| s.kind() != Kind::Obj) {
                    Some((segs, s)) => (self.render(Root::Context, &segs), s),
                    None => ("$$.State.Name".to_string(), Shape::Str(None)),
                }
            }
            2 => {
                // A missing member: only IsPresent may test it without failing.
                let var = self.missing_path(sc.data);
                m.insert("Variable".into(), Value::String(var));
                m.insert("IsPresent".into(), Value::Bool(self.t.flag(0.5)));
                return Value::Object(m);
            }
            3 => {
                *fault = false;
                self.fault_note("Choice Variable selects nothing", state);
                let var = self.missing_path(sc.data);
                m.insert("Variable".into(), Value::String(var));
                let op =
                    *self
                        .t
                        .pick(&["NumericEquals", "StringEquals", "IsNull", "BooleanEquals"]);
                let val = match op {
                    "NumericEquals" => json!(1),
                    "StringEquals" => json!("x"),
                    _ => json!(true),
                };
                m.insert(op.into(), val);
                return Value::Object(m);
            }
            _ => match self.pick_node(sc.data, true, &|s| !s.is_never()) {
                Some((segs, s)) => (self.render(Root::Data, &segs), s),
                None => ("$".to_string(), sc.data.clone()),
            },
        };
        m.insert("Variable".into(), Value::String(var));

        let natural = family_of(&shape);
        let family = if self.t.flag(0.25) {
            Family::Type
        } else if self.t.flag(self.cfg.odds.type_mismatch) {
            *self.t.pick(&[
                Family::String,
                Family::Numeric,
                Family::Boolean,
                Family::Timestamp,
                Family::Type,
            ])
        } else if natural == Family::Timestamp && self.t.flag(0.3) {
            // A timestamp is also a string.
            Family::String
        } else if natural == Family::String && self.t.flag(0.15) {
            // A string that is not a timestamp: every Timestamp comparison is false.
            Family::Timestamp
        } else {
            natural
        };
        let op = match family {
            Family::String => *self.t.pick(&STRING_OPS),
            Family::Numeric => *self.t.pick(&NUMERIC_OPS),
            Family::Boolean => "BooleanEquals",
            Family::Timestamp => *self.t.pick(&TIMESTAMP_OPS),
            Family::Type => *self.t.pick(&TYPE_OPS),
        };
        if family == Family::Type {
            m.insert(op.into(), Value::Bool(!self.t.flag(0.2)));
            return Value::Object(m);
        }
        // The `…Path` variant: the second operand read from the data.
        if op != "StringMatches" && self.t.flag(self.cfg.odds.path_operator) {
            if family == Family::Timestamp && shape.is_past_timestamp() && self.t.flag(0.4) {
                // The entry time is later than any timestamp before 2024, so comparing with it
                // has a fixed result although its value varies.
                let field = *self
                    .t
                    .pick(&["$$.State.EnteredTime", "$$.Execution.StartTime"]);
                m.insert(format!("{op}Path"), Value::String(field.to_string()));
                return Value::Object(m);
            }
            let pred = move |s: &Shape| family_matches(family, s);
            if let Some(p) = self.pick_path(sc.data, Some(sc.ctx), false, &pred) {
                m.insert(format!("{op}Path"), Value::String(p.text));
                return Value::Object(m);
            }
        }
        let known = shape.known();
        let val = match family {
            Family::String if op == "StringMatches" => {
                let s = match (&known, self.t.below(3)) {
                    (Some(Value::String(s)), 0) => s.clone(),
                    _ => self.t.pick(STRINGS).to_string(),
                };
                let pattern = match self.t.below(4) {
                    0 => escape_pattern(&s),
                    1 => "*".to_string(),
                    2 => {
                        let cut = s.chars().count() / 2;
                        format!(
                            "{}*",
                            escape_pattern(&s.chars().take(cut).collect::<String>())
                        )
                    }
                    _ => format!(
                        "*{}",
                        escape_pattern(&s.chars().skip(1).collect::<String>())
                    ),
                };
                Value::String(pattern)
            }
            Family::String => match (&known, self.t.below(3)) {
                (Some(Value::String(s)), 0) => Value::String(s.clone()),
                (Some(Value::String(s)), 1) => Value::String(format!("{s}a")),
                _ => Value::String(self.t.pick(STRINGS).to_string()),
            },
            Family::Numeric => {
                let base = match &known {
                    Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
                    _ => *self.t.pick(&[0.0, 1.0, 3.0]),
                };
                let delta = *self.t.pick(&[0.0, 1.0, -1.0, 0.5, 0.0]);
                number(base + delta)
            }
            Family::Boolean => match &known {
                Some(Value::Bool(b)) if self.t.flag(0.6) => Value::Bool(*b),
                _ => Value::Bool(self.t.flag(0.5)),
            },
            Family::Timestamp => match (&known, self.t.below(2)) {
                (Some(Value::String(s)), 0) if shape.is_timestamp() => Value::String(s.clone()),
                _ => Value::String(self.t.pick(TIMESTAMPS).to_string()),
            },
            Family::Type => Value::Bool(true),
        };
        m.insert(op.into(), val);
        Value::Object(m)
    }
}
