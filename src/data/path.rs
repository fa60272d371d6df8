// TEMPORARY STUB (replaced by the real module)
use serde_json::Value;
use std::borrow::Cow;
#[derive(Debug, Clone, PartialEq)]
pub struct Path { text: String, steps: Vec<String> }
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSyntaxError { pub message: String }
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError { pub message: String }
impl Path {
    pub fn parse(text: &str) -> Result<Path, PathSyntaxError> {
        let rest = text.strip_prefix('$').ok_or(PathSyntaxError{message:"x".into()})?;
        let steps = rest.split('.').filter(|s| !s.is_empty()).map(str::to_string).collect();
        Ok(Path{text:text.into(), steps})
    }
    pub fn text(&self) -> &str { &self.text }
    pub fn is_root(&self) -> bool { self.steps.is_empty() }
    pub fn is_definite(&self) -> bool { true }
    pub fn is_reference(&self) -> bool { true }
    pub fn canonical(&self) -> String { self.text.clone() }
    pub fn select<'a>(&self, root: &'a Value) -> Result<Cow<'a, Value>, PathError> {
        let mut v = root;
        for s in &self.steps { v = v.get(s).ok_or(PathError{message:format!("No results for path: {}", self.text)})?; }
        Ok(Cow::Borrowed(v))
    }
    pub fn exists(&self, root: &Value) -> bool { self.select(root).is_ok() }
    pub fn set(&self, target: &mut Value, value: Value) -> Result<(), PathError> {
        let mut t = target;
        for s in &self.steps { if !t.is_object() { return Err(PathError{message:"x".into()}); } t = t.as_object_mut().unwrap().entry(s.clone()).or_insert(Value::Object(Default::default())); }
        *t = value; Ok(())
    }
}
