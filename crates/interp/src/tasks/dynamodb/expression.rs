//! The DynamoDB expression language
//! (<https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html>):
//! condition expressions (comparators, `BETWEEN`, `IN`, `AND`/`OR`/`NOT`, the functions
//! `attribute_exists`, `attribute_not_exists`, `attribute_type`, `begins_with`, `contains`,
//! `size`), update expressions (`SET` with `+`/`-`, `if_not_exists`, `list_append`; `REMOVE`;
//! `ADD`; `DELETE`), projection expressions and key condition expressions. Document paths
//! (`a.b[2].c`) may use `#name` placeholders; values are `:value` placeholders.
//!
//! Keywords and function names are case-insensitive, as DynamoDB reads them. Parsing and
//! evaluation errors are [`ExprError`]s, which the integration reports as DynamoDB's
//! `ValidationException`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::value::{self, Attr};

/// A validation error, with DynamoDB's message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError(pub String);

type R<T> = Result<T, ExprError>;

/// One step of a document path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Name(String),
    Index(usize),
}

pub type Path = Vec<Step>;

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Path),
    Value(Attr),
    Size(Path),
    IfNotExists(Path, Box<Operand>),
    ListAppend(Box<Operand>, Box<Operand>),
    Plus(Box<Operand>, Box<Operand>),
    Minus(Box<Operand>, Box<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Cmp(Operand, String, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    Type(Path, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// One action of an update expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Set(Path, Operand),
    Remove(Path),
    Add(Path, Operand),
    Delete(Path, Operand),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Name(String),
    Value(String),
    Num(usize),
    Sym(&'static str),
}

fn lex(text: &str, what: &str) -> R<Vec<Tok>> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let word = |start: usize| {
            let mut j = start;
            while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_') {
                j += 1;
            }
            j
        };
        match c {
            '#' | ':' => {
                let j = word(i + 1);
                if j == i + 1 {
                    return Err(syntax(what, &c.to_string()));
                }
                let s: String = b[i..j].iter().collect();
                out.push(if c == '#' {
                    Tok::Name(s)
                } else {
                    Tok::Value(s)
                });
                i = j;
            }
            '0'..='9' => {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let s: String = b[i..j].iter().collect();
                out.push(Tok::Num(s.parse().map_err(|_| syntax(what, &s))?));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let j = word(i);
                out.push(Tok::Ident(b[i..j].iter().collect()));
                i = j;
            }
            _ => {
                let two: String = b[i..(i + 2).min(b.len())].iter().collect();
                let sym = match two.as_str() {
                    "<>" => Some("<>"),
                    "<=" => Some("<="),
                    ">=" => Some(">="),
                    _ => None,
                };
                if let Some(s) = sym {
                    out.push(Tok::Sym(s));
                    i += 2;
                    continue;
                }
                let s = match c {
                    '=' => "=",
                    '<' => "<",
                    '>' => ">",
                    '(' => "(",
                    ')' => ")",
                    '[' => "[",
                    ']' => "]",
                    ',' => ",",
                    '.' => ".",
                    '+' => "+",
                    '-' => "-",
                    _ => return Err(syntax(what, &c.to_string())),
                };
                out.push(Tok::Sym(s));
                i += 1;
            }
        }
    }
    Ok(out)
}

fn syntax(what: &str, token: &str) -> ExprError {
    ExprError(format!(
        "Invalid {what}: Syntax error; token: \"{token}\", near: \"{token}\""
    ))
}

/// The placeholders an expression may use.
pub struct Placeholders<'a> {
    pub names: Option<&'a Map<String, Value>>,
    pub values: Option<&'a Map<String, Value>>,
}

struct Parser<'a> {
    toks: Vec<Tok>,
    i: usize,
    what: &'static str,
    ph: &'a Placeholders<'a>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }

    fn unexpected(&self) -> ExprError {
        match self.toks.get(self.i) {
            Some(t) => syntax(self.what, &tok_text(t)),
            None => syntax(self.what, "<EOF>"),
        }
    }

    fn sym(&mut self, s: &'static str) -> bool {
        if self.peek() == Some(&Tok::Sym(s)) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &'static str) -> R<()> {
        if self.sym(s) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn keyword(&mut self, k: &str) -> bool {
        match self.peek() {
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(k) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    fn name(&self, raw: &str) -> R<String> {
        match self.ph.names.and_then(|n| n.get(raw)) {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(ExprError(format!(
                "Invalid {}: An expression attribute name used in the document path is not defined; attribute name: {raw}",
                self.what
            ))),
        }
    }

    fn value(&self, raw: &str) -> R<Attr> {
        match self.ph.values.and_then(|v| v.get(raw)) {
            Some(v) => Ok(v.clone()),
            None => Err(ExprError(format!(
                "Invalid {}: An expression attribute value used in expression is not defined; attribute value: {raw}",
                self.what
            ))),
        }
    }

    fn path(&mut self) -> R<Path> {
        let mut p = vec![self.segment()?];
        loop {
            if self.sym(".") {
                p.push(self.segment()?);
            } else if self.sym("[") {
                match self.next() {
                    Some(Tok::Num(n)) => p.push(Step::Index(n)),
                    _ => {
                        self.i -= 1;
                        return Err(self.unexpected());
                    }
                }
                self.expect("]")?;
            } else {
                return Ok(p);
            }
        }
    }

    fn segment(&mut self) -> R<Step> {
        match self.next() {
            Some(Tok::Ident(w)) => {
                if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&w)) {
                    return Err(ExprError(format!(
                        "Invalid {}: Attribute name is a reserved keyword; reserved keyword: {w}",
                        self.what
                    )));
                }
                Ok(Step::Name(w))
            }
            Some(Tok::Name(n)) => Ok(Step::Name(self.name(&n)?)),
            _ => {
                self.i -= 1;
                Err(self.unexpected())
            }
        }
    }

    fn is_call(&self, f: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(f))
            && self.toks.get(self.i + 1) == Some(&Tok::Sym("("))
    }

    fn operand(&mut self) -> R<Operand> {
        if self.is_call("size") {
            self.i += 2;
            let p = self.path()?;
            self.expect(")")?;
            return Ok(Operand::Size(p));
        }
        self.value_or_path()
    }

    /// A `:value` placeholder or a document path.
    fn value_or_path(&mut self) -> R<Operand> {
        match self.peek() {
            Some(Tok::Value(v)) => {
                let v = v.clone();
                self.i += 1;
                Ok(Operand::Value(self.value(&v)?))
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }

    /// A SET value: operand (`+`|`-` operand)?, with the update functions.
    fn set_value(&mut self) -> R<Operand> {
        let a = self.set_operand()?;
        if self.sym("+") {
            return Ok(Operand::Plus(Box::new(a), Box::new(self.set_operand()?)));
        }
        if self.sym("-") {
            return Ok(Operand::Minus(Box::new(a), Box::new(self.set_operand()?)));
        }
        Ok(a)
    }

    fn set_operand(&mut self) -> R<Operand> {
        if self.is_call("if_not_exists") {
            self.i += 2;
            let p = self.path()?;
            self.expect(",")?;
            let v = self.set_value()?;
            self.expect(")")?;
            return Ok(Operand::IfNotExists(p, Box::new(v)));
        }
        if self.is_call("list_append") {
            self.i += 2;
            let a = self.set_value()?;
            self.expect(",")?;
            let b = self.set_value()?;
            self.expect(")")?;
            return Ok(Operand::ListAppend(Box::new(a), Box::new(b)));
        }
        self.value_or_path()
    }

    fn or(&mut self) -> R<Cond> {
        let mut c = self.and()?;
        while self.keyword("OR") {
            c = Cond::Or(Box::new(c), Box::new(self.and()?));
        }
        Ok(c)
    }

    fn and(&mut self) -> R<Cond> {
        let mut c = self.not()?;
        while self.keyword("AND") {
            c = Cond::And(Box::new(c), Box::new(self.not()?));
        }
        Ok(c)
    }

    fn not(&mut self) -> R<Cond> {
        if self.keyword("NOT") {
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> R<Cond> {
        if self.sym("(") {
            let c = self.or()?;
            self.expect(")")?;
            return Ok(c);
        }
        for f in [
            "attribute_exists",
            "attribute_not_exists",
            "attribute_type",
            "begins_with",
            "contains",
        ] {
            if self.is_call(f) {
                self.i += 2;
                let c = match f {
                    "attribute_exists" => Cond::Exists(self.path()?),
                    "attribute_not_exists" => Cond::NotExists(self.path()?),
                    "attribute_type" => {
                        let p = self.path()?;
                        self.expect(",")?;
                        Cond::Type(p, self.operand()?)
                    }
                    "begins_with" => {
                        let a = self.operand()?;
                        self.expect(",")?;
                        Cond::BeginsWith(a, self.operand()?)
                    }
                    _ => {
                        let a = self.operand()?;
                        self.expect(",")?;
                        Cond::Contains(a, self.operand()?)
                    }
                };
                self.expect(")")?;
                return Ok(c);
            }
        }
        let a = self.operand()?;
        if self.keyword("BETWEEN") {
            let lo = self.operand()?;
            if !self.keyword("AND") {
                return Err(self.unexpected());
            }
            let hi = self.operand()?;
            return Ok(Cond::Between(a, lo, hi));
        }
        if self.keyword("IN") {
            self.expect("(")?;
            let mut list = vec![self.operand()?];
            while self.sym(",") {
                list.push(self.operand()?);
            }
            self.expect(")")?;
            return Ok(Cond::In(a, list));
        }
        let op = match self.next() {
            Some(Tok::Sym(s @ ("=" | "<>" | "<" | "<=" | ">" | ">="))) => s.to_string(),
            _ => {
                self.i -= 1;
                return Err(self.unexpected());
            }
        };
        Ok(Cond::Cmp(a, op, self.operand()?))
    }

    fn done(&self) -> R<()> {
        if self.i < self.toks.len() {
            Err(self.unexpected())
        } else {
            Ok(())
        }
    }
}

/// A few of DynamoDB's reserved words that appear as attribute names by mistake
/// (<https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html>).
const RESERVED: [&str; 24] = [
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "STATUS",
    "NAME",
    "DATA",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "VALUE",
    "VALUES",
    "COUNT",
    "SIZE",
    "KEY",
    "TYPE",
    "USER",
    "YEAR",
    "ORDER",
];

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Ident(s) | Tok::Name(s) | Tok::Value(s) => s.clone(),
        Tok::Num(n) => n.to_string(),
        Tok::Sym(s) => s.to_string(),
    }
}

fn parser<'a>(text: &str, what: &'static str, ph: &'a Placeholders<'a>) -> R<Parser<'a>> {
    if text.trim().is_empty() {
        return Err(ExprError(format!(
            "Invalid {what}: The expression can not be empty;"
        )));
    }
    Ok(Parser {
        toks: lex(text, what)?,
        i: 0,
        what,
        ph,
    })
}

pub fn parse_condition(text: &str, what: &'static str, ph: &Placeholders<'_>) -> R<Cond> {
    let mut p = parser(text, what, ph)?;
    let c = p.or()?;
    p.done()?;
    Ok(c)
}

pub fn parse_update(text: &str, ph: &Placeholders<'_>) -> R<Vec<Action>> {
    let mut p = parser(text, "UpdateExpression", ph)?;
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    while p.peek().is_some() {
        let clause = match p.next() {
            Some(Tok::Ident(w)) => w.to_ascii_uppercase(),
            _ => {
                p.i -= 1;
                return Err(p.unexpected());
            }
        };
        if !seen.insert(clause.clone()) {
            return Err(ExprError(format!(
                "Invalid UpdateExpression: The \"{clause}\" section can only be used once in an update expression;"
            )));
        }
        loop {
            let action = match clause.as_str() {
                "SET" => {
                    let path = p.path()?;
                    p.expect("=")?;
                    Action::Set(path, p.set_value()?)
                }
                "REMOVE" => Action::Remove(p.path()?),
                "ADD" | "DELETE" => {
                    let path = p.path()?;
                    let v = p.operand()?;
                    if clause == "ADD" {
                        Action::Add(path, v)
                    } else {
                        Action::Delete(path, v)
                    }
                }
                _ => {
                    p.i -= 1;
                    return Err(p.unexpected());
                }
            };
            out.push(action);
            if !p.sym(",") {
                break;
            }
        }
    }
    Ok(out)
}

pub fn parse_projection(text: &str, ph: &Placeholders<'_>) -> R<Vec<Path>> {
    let mut p = parser(text, "ProjectionExpression", ph)?;
    let mut out = vec![p.path()?];
    while p.sym(",") {
        out.push(p.path()?);
    }
    p.done()?;
    Ok(out)
}

// ------------------------------------------------------------------------------------------
// Evaluation

/// The attribute at `path` in `item`.
pub fn get<'a>(item: &'a Map<String, Value>, path: &Path) -> Option<&'a Attr> {
    let mut cur: Option<&Attr> = None;
    for (i, step) in path.iter().enumerate() {
        cur = match (i, step) {
            (0, Step::Name(n)) => item.get(n),
            (0, Step::Index(_)) => None,
            (_, Step::Name(n)) => cur?.get("M")?.get(n),
            (_, Step::Index(k)) => cur?.get("L")?.get(*k),
        };
        cur?;
    }
    cur
}

fn eval(item: &Map<String, Value>, o: &Operand) -> R<Option<Attr>> {
    Ok(match o {
        Operand::Path(p) => get(item, p).cloned(),
        Operand::Value(v) => Some(v.clone()),
        Operand::Size(p) => match get(item, p) {
            None => None,
            Some(a) => Some(value::number(value::size(a).ok_or_else(|| {
                ExprError("Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size".into())
            })? as i128)),
        },
        Operand::IfNotExists(p, v) => match get(item, p) {
            Some(a) => Some(a.clone()),
            None => eval(item, v)?,
        },
        Operand::ListAppend(a, b) => {
            let (a, b) = (eval(item, a)?, eval(item, b)?);
            match (
                a.as_ref().and_then(|x| x.get("L")).and_then(Value::as_array),
                b.as_ref().and_then(|x| x.get("L")).and_then(Value::as_array),
            ) {
                (Some(x), Some(y)) => {
                    let mut l = x.clone();
                    l.extend(y.iter().cloned());
                    Some(serde_json::json!({ "L": l }))
                }
                _ => {
                    return Err(ExprError(
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append".into(),
                    ))
                }
            }
        }
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let plus = matches!(o, Operand::Plus(..));
            let (a, b) = (eval(item, a)?, eval(item, b)?);
            let bad = || {
                ExprError(format!(
                    "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: {}",
                    if plus { "+" } else { "-" }
                ))
            };
            let (x, y) = (
                a.as_ref().and_then(value::as_number).ok_or_else(bad)?,
                b.as_ref().and_then(value::as_number).ok_or_else(bad)?,
            );
            Some(value::arith(&x, &y, plus).ok_or_else(bad)?)
        }
    })
}

/// Whether `c` holds for `item` (an absent item is an empty one).
pub fn holds(item: &Map<String, Value>, c: &Cond) -> R<bool> {
    Ok(match c {
        Cond::And(a, b) => holds(item, a)? && holds(item, b)?,
        Cond::Or(a, b) => holds(item, a)? || holds(item, b)?,
        Cond::Not(a) => !holds(item, a)?,
        Cond::Exists(p) => get(item, p).is_some(),
        Cond::NotExists(p) => get(item, p).is_none(),
        Cond::Type(p, t) => {
            let want = eval(item, t)?;
            let want = want
                .as_ref()
                .and_then(|w| w.get("S"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if !value::TYPE_NAMES.contains(&want) {
                return Err(ExprError(format!("Invalid ConditionExpression: Invalid attribute type name found; type: {want}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}")));
            }
            get(item, p).is_some_and(|a| value::type_name(a) == Some(want))
        }
        Cond::BeginsWith(a, b) => match (eval(item, a)?, eval(item, b)?) {
            (Some(x), Some(y)) => match (value::text(&x), value::text(&y)) {
                (Some((tx, sx)), Some((ty, sy))) if tx == ty => sx.starts_with(sy.as_str()),
                _ => false,
            },
            _ => false,
        },
        Cond::Contains(a, b) => match (eval(item, a)?, eval(item, b)?) {
            (Some(x), Some(y)) => value::contains(&x, &y),
            _ => false,
        },
        Cond::Cmp(a, op, b) => {
            let (x, y) = (eval(item, a)?, eval(item, b)?);
            match (x, y) {
                (Some(x), Some(y)) => match op.as_str() {
                    "=" => value::equal(&x, &y),
                    "<>" => !value::equal(&x, &y),
                    _ => match value::compare(&x, &y) {
                        Some(o) => match op.as_str() {
                            "<" => o == Ordering::Less,
                            "<=" => o != Ordering::Greater,
                            ">" => o == Ordering::Greater,
                            _ => o != Ordering::Less,
                        },
                        None => false,
                    },
                },
                // A missing attribute is unequal to everything.
                _ => op == "<>",
            }
        }
        Cond::Between(a, lo, hi) => match (eval(item, a)?, eval(item, lo)?, eval(item, hi)?) {
            (Some(x), Some(l), Some(h)) => {
                matches!(
                    value::compare(&x, &l),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(
                    value::compare(&x, &h),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            _ => false,
        },
        Cond::In(a, list) => match eval(item, a)? {
            Some(x) => {
                let mut hit = false;
                for o in list {
                    if eval(item, o)?.is_some_and(|y| value::equal(&x, &y)) {
                        hit = true;
                    }
                }
                hit
            }
            None => false,
        },
    })
}

/// Applies update actions to `item` (all values are evaluated against the item as it was).
pub fn apply(item: &mut Map<String, Value>, actions: &[Action]) -> R<BTreeMap<String, ()>> {
    let before = item.clone();
    let mut touched = BTreeMap::new();
    for a in actions {
        match a {
            Action::Set(p, v) => {
                let v = eval(&before, v)?.ok_or_else(|| {
                    ExprError("The provided expression refers to an attribute that does not exist in the item".into())
                })?;
                set(item, p, v)?;
                touched.insert(top(p), ());
            }
            Action::Remove(p) => {
                remove(item, p);
                touched.insert(top(p), ());
            }
            Action::Add(p, v) | Action::Delete(p, v) => {
                let add = matches!(a, Action::Add(..));
                let v = eval(&before, v)?.unwrap_or(Value::Null);
                let cur = get(item, p).cloned();
                let next = if add {
                    value::add(cur.as_ref(), &v)
                } else {
                    value::delete(cur.as_ref(), &v)
                }
                .ok_or_else(|| {
                    ExprError(format!(
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: {}, operand type: {}",
                        if add { "ADD" } else { "DELETE" },
                        value::type_name(&v).unwrap_or("?")
                    ))
                })?;
                match next {
                    Some(n) => set(item, p, n)?,
                    None => remove(item, p),
                }
                touched.insert(top(p), ());
            }
        }
    }
    Ok(touched)
}

fn top(p: &Path) -> String {
    match p.first() {
        Some(Step::Name(n)) => n.clone(),
        _ => String::new(),
    }
}

fn set(item: &mut Map<String, Value>, p: &Path, v: Attr) -> R<()> {
    let invalid = || {
        ExprError(
            "The document path provided in the update expression is invalid for update".into(),
        )
    };
    let (last, init) = p.split_last().ok_or_else(invalid)?;
    if init.is_empty() {
        if let Step::Name(n) = last {
            item.insert(n.clone(), v);
            return Ok(());
        }
        return Err(invalid());
    }
    let mut cur: &mut Value = match &init[0] {
        Step::Name(n) => item.get_mut(n).ok_or_else(invalid)?,
        Step::Index(_) => return Err(invalid()),
    };
    for step in &init[1..] {
        cur = match step {
            Step::Name(n) => cur.get_mut("M").and_then(|m| m.get_mut(n)),
            Step::Index(k) => cur.get_mut("L").and_then(|l| l.get_mut(*k)),
        }
        .ok_or_else(invalid)?;
    }
    match last {
        Step::Name(n) => {
            let m = cur
                .get_mut("M")
                .and_then(Value::as_object_mut)
                .ok_or_else(invalid)?;
            m.insert(n.clone(), v);
        }
        Step::Index(k) => {
            let l = cur
                .get_mut("L")
                .and_then(Value::as_array_mut)
                .ok_or_else(invalid)?;
            if *k < l.len() {
                l[*k] = v;
            } else {
                // DynamoDB appends beyond the end.
                l.push(v);
            }
        }
    }
    Ok(())
}

fn remove(item: &mut Map<String, Value>, p: &Path) {
    let Some((last, init)) = p.split_last() else {
        return;
    };
    if init.is_empty() {
        if let Step::Name(n) = last {
            item.shift_remove(n);
        }
        return;
    }
    let Some(Step::Name(first)) = init.first() else {
        return;
    };
    let mut cur = match item.get_mut(first) {
        Some(c) => c,
        None => return,
    };
    for step in &init[1..] {
        let next = match step {
            Step::Name(n) => cur.get_mut("M").and_then(|m| m.get_mut(n)),
            Step::Index(k) => cur.get_mut("L").and_then(|l| l.get_mut(*k)),
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    match last {
        Step::Name(n) => {
            if let Some(m) = cur.get_mut("M").and_then(Value::as_object_mut) {
                m.shift_remove(n);
            }
        }
        Step::Index(k) => {
            if let Some(l) = cur.get_mut("L").and_then(Value::as_array_mut) {
                if *k < l.len() {
                    l.remove(*k);
                }
            }
        }
    }
}

/// The item reduced to the projected paths (DynamoDB keeps the nesting of each path).
pub fn project(item: &Map<String, Value>, paths: &[Path]) -> Map<String, Value> {
    let mut out = Map::new();
    for p in paths {
        if let (Some(Step::Name(first)), Some(_)) = (p.first(), get(item, p)) {
            if p.len() == 1 {
                out.insert(first.clone(), item[first].clone());
            } else {
                // Nested paths keep the whole top-level attribute (a simplification).
                out.insert(first.clone(), item[first].clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ph<'a>(names: &'a Value, values: &'a Value) -> Placeholders<'a> {
        Placeholders {
            names: names.as_object(),
            values: values.as_object(),
        }
    }

    fn item() -> Map<String, Value> {
        json!({"id": {"S": "a"}, "n": {"N": "5"}, "tags": {"SS": ["x", "y"]},
               "doc": {"M": {"list": {"L": [{"N": "1"}, {"S": "two"}]}}}})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn conditions() {
        let names = json!({"#s": "n"});
        let values = json!({":five": {"N": "5.0"}, ":lo": {"N": "1"}, ":hi": {"N": "9"},
                            ":x": {"S": "x"}, ":a": {"S": "a"}, ":t": {"S": "SS"}});
        let p = ph(&names, &values);
        for (text, want) in [
            ("#s = :five", true),
            ("n BETWEEN :lo AND :hi", true),
            ("NOT n > :hi", true),
            (
                "attribute_exists(doc.list[1]) and attribute_not_exists(nope)",
                true,
            ),
            ("contains(tags, :x) OR id = :x", true),
            ("begins_with(id, :a)", true),
            ("attribute_type(tags, :t)", true),
            ("size(tags) = :lo", false),
            ("id IN (:x, :a)", true),
            ("(id = :x)", false),
            ("nope <> :x", true),
        ] {
            let c = parse_condition(text, "ConditionExpression", &p).unwrap();
            assert_eq!(holds(&item(), &c).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn parse_errors_name_the_token() {
        let e = parse_condition(
            "id = = :a",
            "ConditionExpression",
            &ph(&json!({}), &json!({":a": {"S": "a"}})),
        )
        .unwrap_err();
        assert!(
            e.0.starts_with("Invalid ConditionExpression: Syntax error; token: \"=\""),
            "{}",
            e.0
        );
        let e = parse_condition(
            "id = :missing",
            "ConditionExpression",
            &ph(&json!({}), &json!({})),
        )
        .unwrap_err();
        assert!(e.0.contains("attribute value: :missing"), "{}", e.0);
        let e = parse_condition(
            "#x = :a",
            "ConditionExpression",
            &ph(&json!({}), &json!({":a": {"S": "a"}})),
        )
        .unwrap_err();
        assert!(e.0.contains("attribute name: #x"), "{}", e.0);
        let e = parse_condition(
            "status = :a",
            "ConditionExpression",
            &ph(&json!({}), &json!({":a": {"S": "a"}})),
        )
        .unwrap_err();
        assert!(e.0.contains("reserved keyword: status"), "{}", e.0);
    }

    #[test]
    fn updates() {
        let values = json!({":one": {"N": "1"}, ":l": {"L": [{"N": "3"}]}, ":z": {"SS": ["z", "x"]},
                            ":d": {"N": "0.1"}});
        let no_names = json!({});
        let p = ph(&no_names, &values);
        let mut it = item();
        let a = parse_update(
            "SET n = n + :one, doc.list = list_append(doc.list, :l), fresh = if_not_exists(fresh, :d) REMOVE id ADD tags :z",
            &p,
        )
        .unwrap();
        apply(&mut it, &a).unwrap();
        assert_eq!(it["n"], json!({"N": "6"}));
        assert_eq!(it["doc"]["M"]["list"]["L"].as_array().unwrap().len(), 3);
        assert_eq!(it["fresh"], json!({"N": "0.1"}));
        assert!(!it.contains_key("id"));
        assert_eq!(it["tags"], json!({"SS": ["x", "y", "z"]}));
        let e = parse_update("SET a = :one SET b = :one", &p).unwrap_err();
        assert!(e.0.contains("can only be used once"), "{}", e.0);
    }
}
