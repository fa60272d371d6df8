//! Filter expressions (`[?(...)]`): operand values and Jayway's comparison
//! and operator semantics.

use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{Decimal, Expr, Literal, Op, Operand, Pattern, Root};
use super::eval::{Evaluator, Fail, Hit};

/// A filter operand after evaluation (Jayway's `ValueNode`s).
enum Val<'x> {
    Undefined,
    Null,
    Bool(bool),
    Num(Cow<'x, Decimal>),
    Str(Cow<'x, str>),
    Json(Cow<'x, Value>),
    Pattern(&'x Pattern),
}

impl<'x> Val<'x> {
    fn from_ref(value: &'x Value) -> Val<'x> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(Cow::Owned(Decimal::from_number(n))),
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Val::Json(Cow::Borrowed(value)),
        }
    }

    fn from_owned(value: Value) -> Val<'x> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(Cow::Owned(Decimal::from_number(&n))),
            Value::String(s) => Val::Str(Cow::Owned(s)),
            other => Val::Json(Cow::Owned(other)),
        }
    }

    fn from_literal(literal: &'x Literal) -> Val<'x> {
        match literal {
            Literal::Null => Val::Null,
            Literal::Bool(b) => Val::Bool(*b),
            Literal::Num(d) => Val::Num(Cow::Borrowed(d)),
            Literal::Str(s) => Val::Str(Cow::Borrowed(s)),
            Literal::Json(v) => Val::Json(Cow::Borrowed(v)),
            Literal::Pattern(p) => Val::Pattern(p),
        }
    }
}

/// `Err(())` stands for Jayway's `InvalidPathException`, which makes the
/// whole filter reject the item.
pub(super) fn eval_expr(expr: &Expr, item: &Value, doc: &Value) -> Result<bool, ()> {
    match expr {
        Expr::Or(parts) => {
            for part in parts {
                if eval_expr(part, item, doc)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::And(parts) => {
            for part in parts {
                if !eval_expr(part, item, doc)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Not(inner) => Ok(!eval_expr(inner, item, doc)?),
        Expr::Exists { path, negated } => {
            let start = if path.root == Root::Current {
                item
            } else {
                doc
            };
            let found = if path.simple {
                path.walk_simple(start).is_some()
            } else {
                // Jayway evaluates existence tests with REQUIRE_PROPERTIES.
                match Evaluator::new(path, doc, true, false).run(start) {
                    Ok(hits) => !path.definite || !hits.is_empty(),
                    Err(Fail::NotFound(_)) => false,
                    Err(Fail::Invalid(_)) => return Err(()),
                }
            };
            Ok(found != *negated)
        }
        Expr::Cmp { left, op, right } => {
            let l = operand(left, item, doc)?;
            let r = operand(right, item, doc)?;
            compare(*op, &l, &r)
        }
    }
}

fn operand<'x>(operand: &'x Operand, item: &'x Value, doc: &'x Value) -> Result<Val<'x>, ()> {
    match operand {
        Operand::Lit(literal) => Ok(Val::from_literal(literal)),
        Operand::Path { path, .. } => {
            let start = if path.root == Root::Current {
                item
            } else {
                doc
            };
            if path.simple {
                return Ok(path
                    .walk_simple(start)
                    .map_or(Val::Undefined, Val::from_ref));
            }
            match Evaluator::new(path, doc, false, false).run(start) {
                Ok(hits) if path.definite => Ok(match hits.into_iter().next() {
                    Some(Hit::Ref(value)) => Val::from_ref(value),
                    Some(Hit::Owned(value)) => Val::from_owned(value),
                    None => Val::Undefined,
                }),
                Ok(hits) => Ok(Val::Json(Cow::Owned(Value::Array(
                    hits.into_iter().map(Hit::into_value).collect(),
                )))),
                Err(Fail::NotFound(_)) => Ok(Val::Undefined),
                Err(Fail::Invalid(_)) => Err(()),
            }
        }
    }
}

/// Jayway's `ValueNode.equals` with `left` as the receiver: numbers compare
/// numerically, a number equals a string holding the same number (and a
/// string equals a number printed the same way), JSON compares structurally,
/// "undefined" equals nothing.
fn val_eq(left: &Val<'_>, right: &Val<'_>) -> bool {
    match (left, right) {
        (Val::Json(a), Val::Json(b)) => json_eq(a, b),
        (Val::Num(a), Val::Num(b)) => a.cmp_value(b) == Ordering::Equal,
        (Val::Num(a), Val::Str(b)) => {
            Decimal::parse(b).is_some_and(|b| a.cmp_value(&b) == Ordering::Equal)
        }
        (Val::Str(a), Val::Str(b)) => a == b,
        (Val::Str(a), Val::Num(b)) => **a == b.java_string(),
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Null, Val::Null) => true,
        (Val::Pattern(a), Val::Pattern(b)) => a == b,
        _ => false,
    }
}

fn same_kind(left: &Val<'_>, right: &Val<'_>) -> bool {
    std::mem::discriminant(left) == std::mem::discriminant(right)
}

/// Numbers numerically, strings like Java's `String.compareTo` (UTF-16 code
/// units); anything else is unordered (the comparison is false).
fn ordering(left: &Val<'_>, right: &Val<'_>) -> Option<Ordering> {
    match (left, right) {
        (Val::Num(a), Val::Num(b)) => Some(a.cmp_value(b)),
        (Val::Str(a), Val::Str(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        _ => None,
    }
}

/// Jayway's conversion of an operand to a value list: `Ok(None)` when it is
/// JSON but not an array (the operator is false), `Err` when it is not JSON.
fn value_list<'v>(val: &'v Val<'_>) -> Result<Option<&'v [Value]>, ()> {
    match val {
        Val::Json(json) => Ok(json.as_array().map(Vec::as_slice)),
        _ => Err(()),
    }
}

fn list_contains(list: &[Value], needle: &Val<'_>) -> bool {
    list.iter().any(|e| val_eq(needle, &Val::from_ref(e)))
}

fn compare(op: Op, l: &Val<'_>, r: &Val<'_>) -> Result<bool, ()> {
    Ok(match op {
        Op::Eq => val_eq(l, r),
        Op::Ne => !val_eq(l, r),
        Op::TsEq => same_kind(l, r) && val_eq(l, r),
        Op::TsNe => !(same_kind(l, r) && val_eq(l, r)),
        Op::Lt => ordering(l, r) == Some(Ordering::Less),
        Op::Le => matches!(ordering(l, r), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ordering(l, r) == Some(Ordering::Greater),
        Op::Ge => matches!(ordering(l, r), Some(Ordering::Greater | Ordering::Equal)),
        Op::Match => match (l, r) {
            (Val::Pattern(_), Val::Pattern(_)) => false,
            (Val::Pattern(p), other) | (other, Val::Pattern(p)) => {
                p.re.is_match(&regex_input(other))
            }
            _ => false,
        },
        Op::In | Op::Nin => {
            let found = match value_list(r)? {
                Some(list) => list_contains(list, l),
                None => false,
            };
            found == (op == Op::In)
        }
        Op::SubsetOf | Op::AnyOf | Op::NoneOf => {
            let (Some(right), Some(left)) = (value_list(r)?, value_list(l)?) else {
                return Ok(false);
            };
            match op {
                Op::SubsetOf => left.iter().all(|e| list_contains(right, &Val::from_ref(e))),
                Op::AnyOf => left.iter().any(|e| list_contains(right, &Val::from_ref(e))),
                _ => !left.iter().any(|e| list_contains(right, &Val::from_ref(e))),
            }
        }
        Op::Contains => match (l, r) {
            (Val::Str(a), Val::Str(b)) => a.contains(&**b),
            (Val::Json(json), _) => json
                .as_array()
                .is_some_and(|list| list.iter().any(|e| val_eq(r, &Val::from_ref(e)))),
            _ => false,
        },
        Op::Size => {
            let Val::Num(expected) = r else {
                return Ok(false);
            };
            let Some(expected) = expected.int_value() else {
                return Ok(false);
            };
            match l {
                Val::Str(s) => i64::try_from(s.encode_utf16().count()).ok() == Some(expected),
                Val::Json(json) => {
                    let len = json
                        .as_array()
                        .map_or(-1, |a| i64::try_from(a.len()).unwrap_or(i64::MAX));
                    len == expected
                }
                _ => false,
            }
        }
        Op::Empty => {
            let empty = match l {
                Val::Str(s) => s.is_empty(),
                Val::Json(json) => match &**json {
                    Value::Array(a) => a.is_empty(),
                    Value::Object(m) => m.is_empty(),
                    _ => true,
                },
                _ => return Ok(false),
            };
            let Val::Bool(expected) = r else {
                return Err(());
            };
            empty == *expected
        }
    })
}

/// Jayway feeds the regex the string itself, a number's `BigDecimal` text,
/// `true`/`false`, or "" for anything else (so a missing value is matched
/// against the empty string).
fn regex_input<'v>(val: &'v Val<'_>) -> Cow<'v, str> {
    match val {
        Val::Str(s) => Cow::Borrowed(&**s),
        Val::Num(d) => Cow::Owned(d.java_string()),
        Val::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        _ => Cow::Borrowed(""),
    }
}

/// Structural JSON equality without recursion (objects ignore key order,
/// numbers compare as serde_json numbers, like Java's `Map`/`List` equals).
fn json_eq(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((x, y)) = pending.pop() {
        match (x, y) {
            (Value::Array(p), Value::Array(q)) => {
                if p.len() != q.len() {
                    return false;
                }
                pending.extend(p.iter().zip(q.iter()));
            }
            (Value::Object(p), Value::Object(q)) => {
                if p.len() != q.len() {
                    return false;
                }
                for (key, value) in p {
                    match q.get(key) {
                        Some(other) => pending.push((value, other)),
                        None => return false,
                    }
                }
            }
            (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
                return false
            }
            _ => {
                if x != y {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::path::testing::*;
    use serde_json::json;

    // -- filters ----------------------------------------------------------

    fn people() -> Value {
        json!([
            {"name": "ann", "age": 31, "tags": ["a", "b"], "ok": true, "nick": null},
            {"name": "bob", "age": 25.5, "tags": [], "ok": false},
            {"name": "Cy", "age": "40", "tags": ["b"]},
            7,
            "str"
        ])
    }

    fn names(text: &str) -> Value {
        let doc = people();
        let hits = sel(text, &doc);
        Value::Array(
            hits.as_array()
                .map(|a| {
                    a.iter()
                        .map(|h| h.get("name").cloned().unwrap_or_else(|| h.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    #[test]
    fn filter_comparisons() {
        assert_eq!(names("$[?(@.age > 30)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.age >= 25.5)]"), json!(["ann", "bob"]));
        assert_eq!(names("$[?(@.age < 30)]"), json!(["bob"]));
        assert_eq!(names("$[?(@.age <= 31)]"), json!(["ann", "bob"]));
        assert_eq!(names("$[?(@.age == 31.0)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.name == 'bob')]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name == \"bob\")]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name > 'b')]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name < 'a')]"), json!(["Cy"]));
        // Type mismatch for an ordering is false; Jayway's == compares a
        // number with a numeric string.
        assert_eq!(names("$[?(@.age > '30')]"), json!(["Cy"])); // "40" > "30"
        assert_eq!(names("$[?(@.name > 5)]"), json!([]));
        assert_eq!(names("$[?(@.age == '31')]"), json!(["ann"]));
        assert_eq!(names("$[?(@.age == 40)]"), json!(["Cy"])); // "40" == 40 in Jayway
        assert_eq!(names("$[?(@.age === 40)]"), json!([]));
        assert_eq!(names("$[?(@.age === '31')]"), json!([]));
        assert_eq!(names("$[?(@.ok == true)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.ok != true)]"), json!(["bob", "Cy", 7, "str"]));
        assert_eq!(names("$[?(@.nick == null)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.tags == ['b'])]"), json!(["Cy"]));
        // Missing values never compare equal.
        assert_eq!(names("$[?(@.missing == null)]"), json!([]));
        assert_eq!(names("$[?(@.missing < 1)]"), json!([]));
        // @ itself: scalar items.
        assert_eq!(names("$[?(@ == 7)]"), json!([7]));
        assert_eq!(names("$[?(@ == 'str')]"), json!(["str"]));
        // Literal on the left.
        assert_eq!(names("$[?(30 < @.age)]"), json!(["ann"]));
        // Whitespace and negative numbers.
        assert_eq!(names("$[ ?( @.age>-1 ) ]"), json!(["ann", "bob"]));
    }

    #[test]
    fn filter_logic_and_existence() {
        assert_eq!(names("$[?(@.age > 20 && @.ok == false)]"), json!(["bob"]));
        assert_eq!(
            names("$[?(@.name == 'Cy' || @.age > 30)]"),
            json!(["ann", "Cy"])
        );
        assert_eq!(
            names("$[?(@.name == 'Cy' || @.age > 30 && @.ok == false)]"),
            json!(["Cy"])
        );
        assert_eq!(
            names("$[?((@.name == 'Cy' || @.age > 30) && @.ok)]"),
            json!(["ann"])
        );
        assert_eq!(names("$[?(!(@.age > 30))]"), json!(["bob", "Cy", 7, "str"]));
        assert_eq!(names("$[?(@.nick)]"), json!(["ann"]));
        assert_eq!(names("$[?(!@.tags)]"), json!([7, "str"]));
        assert_eq!(names("$[?(@.tags[0])]"), json!(["ann", "Cy"]));
        assert_eq!(names("$[?(@['name'] == 'ann')]"), json!(["ann"]));
        assert_eq!(names("$[?(@.tags[1] == 'b')]"), json!(["ann"]));
        // Jayway ignores '!' before a path that is compared.
        assert_eq!(names("$[?(!@.age > 30)]"), json!(["ann"]));
    }

    #[test]
    fn filter_root_references() {
        let doc = json!({"limit": 10, "items": [{"v": 5}, {"v": 15}], "ids": [1, 3]});
        assert_eq!(sel("$.items[?(@.v > $.limit)]", &doc), json!([{"v": 15}]));
        assert_eq!(sel("$.items[?(@.v < $['limit'])].v", &doc), json!([5]));
        assert_eq!(sel("$.items[?($.limit)].v", &doc), json!([5, 15]));
        assert_eq!(sel("$.items[?(@.v in $.ids)]", &doc), json!([]));
    }

    #[test]
    fn filter_operators() {
        assert_eq!(names("$[?(@.name =~ /a.*/)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.name =~ /c.*/i)]"), json!(["Cy"]));
        assert_eq!(names("$[?(@.name =~ /n/)]"), json!([]));
        assert_eq!(names("$[?(@.age =~ /2.*/)]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name in ['ann', 'Cy'])]"), json!(["ann", "Cy"]));
        assert_eq!(
            names("$[?(@.name nin ['ann', 'Cy'])]"),
            json!(["bob", 7, "str"])
        );
        assert_eq!(names("$[?(@.age in [31, 40])]"), json!(["ann", "Cy"]));
        assert_eq!(
            names("$[?(@.tags subsetof ['a', 'b', 'c'])]"),
            json!(["ann", "bob", "Cy"])
        );
        assert_eq!(names("$[?(@.tags subsetof ['b'])]"), json!(["bob", "Cy"]));
        assert_eq!(names("$[?(@.tags anyof ['a', 'x'])]"), json!(["ann"]));
        assert_eq!(names("$[?(@.tags noneof ['a'])]"), json!(["bob", "Cy"]));
        assert_eq!(names("$[?(@.tags contains 'b')]"), json!(["ann", "Cy"]));
        assert_eq!(names("$[?(@.name contains 'o')]"), json!(["bob"]));
        assert_eq!(names("$[?(@.tags size 2)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.name size 2)]"), json!(["Cy"]));
        assert_eq!(names("$[?(@.tags empty true)]"), json!(["bob"]));
        assert_eq!(names("$[?(@.tags empty false)]"), json!(["ann", "Cy"]));
        assert_eq!(names("$[?(@.tags SIZE 1)]"), json!(["Cy"]));
        assert_eq!(names("$[?(@.obj == {'k': 1})]"), json!([]));
        let doc = json!([{"o": {"k": 1}}, {"o": {"k": 2}}]);
        assert_eq!(
            sel("$[?(@.o == {\"k\": 1})]", &doc),
            json!([{"o": {"k": 1}}])
        );
    }

    #[test]
    fn filter_on_object_tests_the_object() {
        let doc = json!({"o": {"a": 1}});
        assert_eq!(sel("$.o[?(@.a == 1)]", &doc), json!([{"a": 1}]));
        assert_eq!(sel("$.o[?(@.a == 2)]", &doc), json!([]));
    }
}
