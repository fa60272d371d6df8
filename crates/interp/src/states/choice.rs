//! Choice state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html>;
//! docs/semantics/choice.md §5).
//!
//! Rules are tried in order; the first true rule's `Next` wins, else `Default`, else
//! `States.NoChoiceMatched`. Comparisons between values of the wrong type are simply false; only a
//! `Variable` that selects nothing is an error (`States.Runtime`), except for `IsPresent`.
//! Strings compare by UTF-16 code units (Java `String.compareTo`); numbers numerically; timestamps
//! as instants.

use std::cmp::Ordering as CmpOrdering;

use serde_json::Value;

use crate::asl::model::{Choice, Op, OpType, Operand, Ordering, QueryLanguage, Rule, State};
use crate::data::context::Context;
use crate::data::jsonata::unexpected_type;
use crate::data::timestamp::{self, Millis};
use crate::data::PathRef;
use crate::engine::{Runner, Step, Stop};
use crate::errors::{Failure, NO_CHOICE_MATCHED};
use crate::states::eval_assign;

impl Runner<'_> {
    pub(crate) fn choice(
        &mut self,
        state: &State,
        c: &Choice,
        input: Value,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        if state.language == QueryLanguage::Jsonata {
            return self.choice_jsonata(state, c, input, entered_at);
        }
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        let effective = state.input_path.apply_owned(input, &ctx)?;
        let mut target = None;
        for branch in &c.choices {
            if evaluate(&branch.rule, &effective, &ctx)? {
                target = Some(branch);
                break;
            }
        }
        // `$` in a Choice state's Assign is its effective input. The matched rule's Assign is
        // used instead of the state's own (docs/semantics/variables.md, "Where `Assign`
        // appears"); UNVERIFIED: that a matched rule without one falls back to the state's.
        let assign = target
            .and_then(|b| b.assign.as_ref())
            .or(state.assign.as_ref());
        self.assigned = eval_assign(assign, &effective, &ctx, &self.spares, &mut self.rng)?;
        let next = match target.map(|b| b.next).or(c.default) {
            Some(n) => n,
            // UNVERIFIED (docs/semantics/choice.md §5.1): the cause text.
            None => {
                return Err(Stop::Fail(Failure::raised(
                    NO_CHOICE_MATCHED,
                    "No Matches!",
                )))
            }
        };
        let output = state.output_path.apply_owned(effective, &ctx)?;
        Ok(Step::Next(next, output))
    }
}

impl Runner<'_> {
    /// A JSONata Choice: the first rule whose `Condition` is true wins; its Assign and Output
    /// are used instead of the state's (docs/semantics/choice.md, docs/semantics/jsonata.md §11.4).
    fn choice_jsonata(
        &mut self,
        state: &State,
        c: &Choice,
        input: Value,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        let states = self.jsonata_states(state, input, entered_at);
        let mut target = None;
        for (i, branch) in c.choices.iter().enumerate() {
            let Rule::Condition(p) = &branch.rule else {
                return Err(Failure::runtime("a JSONPath Choice rule in a JSONata state").into());
            };
            let field = format!("Choices[{i}]/Condition");
            match self.jsonata_field(p, &field, &states)? {
                Value::Bool(true) => {
                    target = Some(branch);
                    break;
                }
                Value::Bool(false) => {}
                other => return Err(unexpected_type(p, &field, "boolean", &other).into()),
            }
        }
        let next = match target.map(|b| b.next).or(c.default) {
            Some(n) => n,
            None => {
                return Err(Stop::Fail(Failure::raised(
                    NO_CHOICE_MATCHED,
                    "No Matches!",
                )))
            }
        };
        let assign = target
            .and_then(|b| b.assign.as_ref())
            .or(state.assign.as_ref());
        let output = target
            .and_then(|b| b.output.as_ref())
            .or(state.output.as_ref());
        let output = self.jsonata_finish(output, assign, states)?;
        Ok(Step::Next(next, output))
    }
}

fn invalid_value(path: &PathRef) -> Failure {
    // Third-party consensus on AWS's text (docs/semantics/choice.md §5.3); punctuation UNVERIFIED.
    Failure::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.text()
    ))
}

/// Evaluates one rule against the effective input.
pub fn evaluate(rule: &Rule, input: &Value, ctx: &Context<'_>) -> Result<bool, Failure> {
    match rule {
        Rule::And(rules) => {
            for r in rules {
                if !evaluate(r, input, ctx)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Rule::Or(rules) => {
            for r in rules {
                if evaluate(r, input, ctx)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Rule::Not(r) => Ok(!evaluate(r, input, ctx)?),
        Rule::Condition(_) => Err(Failure::runtime("a JSONata Condition in a JSONPath state")),
        Rule::Test {
            variable,
            op,
            operand,
        } => {
            let value = variable.select(input, ctx).ok();
            if *op == Op::IsPresent {
                return Ok(value.is_some() == (operand_value(operand) == Some(&Value::Bool(true))));
            }
            let value = value.ok_or_else(|| invalid_value(variable))?;
            let rhs = match operand {
                Operand::Value(v) => std::borrow::Cow::Borrowed(v),
                // UNVERIFIED: a `…Path` operand that selects nothing fails like a missing Variable.
                Operand::Path(p) => p.select(input, ctx).ok().ok_or_else(|| invalid_value(p))?,
            };
            Ok(test(*op, &value, &rhs))
        }
    }
}

fn operand_value(o: &Operand) -> Option<&Value> {
    match o {
        Operand::Value(v) => Some(v),
        Operand::Path(_) => None,
    }
}

/// One data test. Type mismatches are false (docs/semantics/choice.md §5.2 truth tables).
pub fn test(op: Op, value: &Value, operand: &Value) -> bool {
    let flag = operand.as_bool();
    let is = |b: bool| flag.map(|f| f == b).unwrap_or(false);
    match op {
        Op::IsNull => is(value.is_null()),
        Op::IsPresent => is(true),
        Op::IsNumeric => is(value.is_number()),
        Op::IsString => is(value.is_string()),
        Op::IsBoolean => is(value.is_boolean()),
        Op::IsTimestamp => is(value.as_str().is_some_and(timestamp::is_timestamp)),
        Op::StringMatches => match (value.as_str(), operand.as_str()) {
            (Some(s), Some(p)) => string_matches(s, p),
            _ => false,
        },
        Op::Compare(ty, ord) => match compare(ty, value, operand) {
            Some(c) => holds(ord, c),
            None => false,
        },
    }
}

fn holds(ord: Ordering, c: CmpOrdering) -> bool {
    match ord {
        Ordering::Equals => c == CmpOrdering::Equal,
        Ordering::LessThan => c == CmpOrdering::Less,
        Ordering::GreaterThan => c == CmpOrdering::Greater,
        Ordering::LessThanEquals => c != CmpOrdering::Greater,
        Ordering::GreaterThanEquals => c != CmpOrdering::Less,
    }
}

fn compare(ty: OpType, a: &Value, b: &Value) -> Option<CmpOrdering> {
    match ty {
        OpType::String => {
            let (a, b) = (a.as_str()?, b.as_str()?);
            Some(a.encode_utf16().cmp(b.encode_utf16()))
        }
        OpType::Numeric => {
            if !a.is_number() || !b.is_number() {
                return None;
            }
            match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
            }
        }
        OpType::Boolean => {
            let (a, b) = (a.as_bool()?, b.as_bool()?);
            Some(a.cmp(&b))
        }
        OpType::Timestamp => {
            let a = timestamp::parse_nanos(a.as_str()?)?;
            let b = timestamp::parse_nanos(b.as_str()?)?;
            Some(a.cmp(&b))
        }
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a literal
/// backslash (in the JSON text these are written `\\*` and `\\\\`); nothing else is special.
pub fn string_matches(text: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Ch(char),
    }
    let mut toks = Vec::with_capacity(pattern.len());
    let mut it = pattern.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '*' => toks.push(Tok::Star),
            '\\' if matches!(it.peek(), Some('*') | Some('\\')) => {
                if let Some(n) = it.next() {
                    toks.push(Tok::Ch(n));
                }
            }
            other => toks.push(Tok::Ch(other)),
        }
    }
    let s: Vec<char> = text.chars().collect();
    // Iterative wildcard matching with single-star backtracking: linear space, no recursion.
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match toks.get(j) {
            Some(Tok::Ch(c)) if *c == s[i] => {
                i += 1;
                j += 1;
            }
            Some(Tok::Star) => {
                star = Some((j, i));
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    j = sj + 1;
                    i = si + 1;
                    star = Some((sj, si + 1));
                }
                None => return false,
            },
        }
    }
    toks[j.min(toks.len())..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cmp(op: &str, v: Value, o: Value) -> bool {
        let (op, _) = Op::from_field(op).unwrap();
        test(op, &v, &o)
    }

    // Truth tables recorded against AWS (docs/semantics/choice.md §5.2).
    #[test]
    fn numeric_equals_type_mismatch_is_false() {
        for v in [
            json!(null),
            json!(""),
            json!(" "),
            json!([]),
            json!([""]),
            json!({}),
            json!({"A":0}),
            json!(true),
            json!(false),
        ] {
            assert!(!cmp("NumericEquals", v.clone(), json!(0)), "{v}");
            assert!(!cmp("NumericEquals", v, json!(1)));
        }
        assert!(!cmp("NumericEquals", json!(1.1), json!(1)));
        assert!(cmp("NumericEquals", json!(1), json!(1.0)));
        assert!(cmp("NumericEquals", json!(0), json!(0.0)));
    }

    #[test]
    fn numeric_orderings() {
        assert!(cmp("NumericLessThan", json!(1), json!(2)));
        assert!(!cmp("NumericLessThan", json!(2), json!(2)));
        assert!(cmp("NumericLessThanEquals", json!(2), json!(2.0)));
        assert!(cmp("NumericGreaterThan", json!(2.5), json!(2)));
        assert!(cmp("NumericGreaterThanEquals", json!(-1), json!(-1)));
        assert!(!cmp("NumericGreaterThanEquals", json!("3"), json!(1)));
    }

    #[test]
    fn boolean_equals() {
        assert!(cmp("BooleanEquals", json!(true), json!(true)));
        assert!(cmp("BooleanEquals", json!(false), json!(false)));
        assert!(!cmp("BooleanEquals", json!(true), json!(false)));
        for v in [json!(0), json!(1), json!(""), json!(null), json!([true])] {
            assert!(!cmp("BooleanEquals", v, json!(true)));
        }
    }

    #[test]
    fn string_comparisons() {
        assert!(!cmp("StringEquals", json!(1), json!("1")));
        assert!(!cmp("StringEquals", json!(" "), json!("     ")));
        assert!(!cmp("StringEquals", json!("\t\n"), json!("\t\r\n")));
        assert!(cmp("StringLessThan", json!("A"), json!("AB")));
        assert!(!cmp("StringLessThan", json!(""), json!("")));
        assert!(!cmp("StringGreaterThan", json!("A"), json!("A ")));
        assert!(cmp("StringGreaterThanEquals", json!("b"), json!("a")));
        assert!(cmp("StringLessThanEquals", json!("a"), json!("a")));
        // UTF-16 order: U+FF5E sorts after U+1F600's high surrogate (0xD83D) in UTF-16.
        assert!(cmp(
            "StringGreaterThan",
            json!("\u{FF5E}"),
            json!("\u{1F600}")
        ));
    }

    #[test]
    fn timestamp_comparisons() {
        assert!(!cmp(
            "TimestampEquals",
            json!("2023-02-24 12:15:56.832957"),
            json!("2023-02-24T12:15:56.832957Z")
        ));
        assert!(cmp(
            "TimestampEquals",
            json!("2016-03-14T01:59:00Z"),
            json!("2016-03-14T01:59:00.000Z")
        ));
        assert!(cmp(
            "TimestampLessThan",
            json!("2016-03-14T01:59:00Z"),
            json!("2016-03-14T02:00:00Z")
        ));
        assert!(!cmp(
            "TimestampEquals",
            json!(1),
            json!("2016-03-14T01:59:00Z")
        ));
        assert!(!cmp(
            "TimestampGreaterThan",
            json!("2012-10-09T19:00:55"),
            json!("2001-01-01T00:00:00Z")
        ));
    }

    #[test]
    fn type_tests() {
        assert!(cmp("IsNull", json!(null), json!(true)));
        assert!(!cmp("IsNull", json!(0), json!(true)));
        assert!(cmp("IsNull", json!(0), json!(false)));
        for v in [json!(0), json!(0.0), json!(1), json!(1.1)] {
            assert!(cmp("IsNumeric", v, json!(true)));
        }
        assert!(!cmp("IsNumeric", json!("1"), json!(true)));
        assert!(cmp("IsString", json!("2016-03-14T01:59:00Z"), json!(true)));
        assert!(cmp("IsBoolean", json!(false), json!(true)));
        assert!(cmp(
            "IsTimestamp",
            json!("2016-03-14T01:59:00Z"),
            json!(true)
        ));
        assert!(!cmp("IsTimestamp", json!("2016-03-14"), json!(true)));
    }

    #[test]
    fn string_matches_wildcards_and_escapes() {
        // Examples from the AWS Choice page: "log-*.txt".
        assert!(string_matches("log-2021.txt", "log-*.txt"));
        assert!(!string_matches("log-2021.csv", "log-*.txt"));
        assert!(string_matches("", "*"));
        assert!(string_matches("abc", "a*c"));
        assert!(string_matches("ac", "a*c"));
        assert!(string_matches("a*c", "a\\*c"));
        assert!(!string_matches("abc", "a\\*c"));
        assert!(string_matches("a\\c", "a\\\\c"));
        assert!(string_matches("aXbYc", "a*b*c"));
        assert!(!string_matches("abcd", "abc"));
        assert!(!string_matches("ab", "abc"));
        assert!(string_matches("a.b", "a.b"));
    }
}
