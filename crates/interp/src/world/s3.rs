//! Simulated S3: buckets of objects, read by `s3:getObject`, Distributed Map `ItemReader`s and
//! written by `s3:putObject` and `ResultWriter`.
//!
//! A folder `s3/<bucket>/<key…>` holds one object per file, its key the path below the bucket
//! folder with `/` separators. Objects carry no metadata from the file system (its timestamps
//! would make runs differ): an object loaded from a folder was last modified at the run's
//! virtual start time, a written one when it was written.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use md5::{Digest, Md5};
use serde_json::{json, Value};

use super::{create_dir, file_name, io_error, read_dir_sorted, write_file, WorldError};

/// One object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub body: Vec<u8>,
    /// When it was last written (milliseconds since the epoch); `None` for an object that was
    /// there when the run started (shown as the run's start time).
    pub last_modified: Option<i64>,
}

impl Object {
    pub fn new(body: Vec<u8>) -> Object {
        Object {
            body,
            last_modified: None,
        }
    }

    /// S3's ETag of a single-part upload: the MD5 of the body in hex, in double quotes.
    pub fn etag(&self) -> String {
        let digest = Md5::digest(&self.body);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    }

    /// The body as text, when it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

/// A bucket: objects by key, in key order (the order `ListObjectsV2` returns them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bucket {
    pub objects: BTreeMap<String, Object>,
}

impl Bucket {
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.objects.get(key)
    }

    pub fn put(&mut self, key: &str, body: Vec<u8>, now: i64) {
        self.objects.insert(
            key.to_string(),
            Object {
                body,
                last_modified: Some(now),
            },
        );
    }

    /// Objects whose key starts with `prefix`, in key order.
    pub fn list<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a String, &'a Object)> {
        self.objects
            .range(prefix.to_string()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
    }

    /// Reads `dir` recursively: every file is an object.
    pub fn load_dir(dir: &Path) -> Result<Bucket, WorldError> {
        let mut bucket = Bucket::default();
        let mut stack = vec![(dir.to_path_buf(), String::new())];
        while let Some((d, prefix)) = stack.pop() {
            for entry in read_dir_sorted(&d)? {
                let name = file_name(&entry);
                if entry.is_dir() {
                    stack.push((entry.clone(), format!("{prefix}{name}/")));
                } else {
                    let body = std::fs::read(&entry).map_err(|e| io_error(&entry, e))?;
                    if name.ends_with(".csv") {
                        check_csv(&entry, &body)?;
                    }
                    bucket
                        .objects
                        .insert(format!("{prefix}{name}"), Object::new(body));
                }
            }
        }
        Ok(bucket)
    }

    /// Writes every object as a file under `dir`. A key that cannot be a path (empty segments,
    /// `.` or `..`) is an error rather than a file written elsewhere.
    pub fn save_dir(&self, dir: &Path) -> Result<(), WorldError> {
        create_dir(dir)?;
        for (key, object) in &self.objects {
            if key
                .split('/')
                .any(|seg| seg.is_empty() || seg == "." || seg == "..")
            {
                return Err(WorldError::new(
                    dir,
                    Some(key.clone()),
                    "this object key cannot be written as a file (empty, '.' or '..' segment)",
                ));
            }
            write_file(&dir.join(key), &object.body)?;
        }
        Ok(())
    }

    /// `{"<key>": "<text>" | {"base64": "…"}}`.
    pub fn from_json(v: &Value, source: &Path, pointer: &str) -> Result<Bucket, WorldError> {
        let obj = v.as_object().ok_or_else(|| {
            WorldError::at_pointer(source, pointer, "expected an object of key: content")
        })?;
        let mut bucket = Bucket::default();
        for (key, content) in obj {
            let p = format!("{pointer}/{}", crate::asl::model::pointer_escape(key));
            let body = match content {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Object(o) if o.len() == 1 && o.contains_key("base64") => {
                    let text = o["base64"].as_str().ok_or_else(|| {
                        WorldError::at_pointer(source, &p, "base64 must be a string")
                    })?;
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .map_err(|e| WorldError::at_pointer(source, &p, e.to_string()))?
                }
                _ => {
                    return Err(WorldError::at_pointer(
                        source,
                        &p,
                        "expected the object's content as a string, or {\"base64\": \"…\"}",
                    ))
                }
            };
            bucket.objects.insert(key.clone(), Object::new(body));
        }
        Ok(bucket)
    }

    pub fn to_json(&self) -> Value {
        Value::Object(
            self.objects
                .iter()
                .map(|(k, o)| {
                    let content = match o.text() {
                        Some(t) => Value::String(t.to_string()),
                        None => json!({
                            "base64": base64::engine::general_purpose::STANDARD.encode(&o.body)
                        }),
                    };
                    (k.clone(), content)
                })
                .collect(),
        )
    }
}

/// A `.csv` object must be text whose rows have no more fields than its first row: a
/// Distributed Map's ItemReader would otherwise fail on it at run time, far from the file.
fn check_csv(path: &Path, body: &[u8]) -> Result<(), WorldError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| WorldError::new(path, None, "a .csv object must be UTF-8 text"))?;
    let rows = crate::states::distributed::csv_rows(text, ',');
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.len() > width {
            return Err(WorldError::new(
                path,
                Some(format!("line {}", i + 1)),
                format!(
                    "this row has {} fields but the first row has {width}",
                    row.len()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_takes_the_prefix_in_key_order() {
        let mut b = Bucket::default();
        for k in ["a/2", "a/1", "b/1", "a"] {
            b.put(k, k.as_bytes().to_vec(), 0);
        }
        let keys: Vec<&String> = b.list("a/").map(|(k, _)| k).collect();
        assert_eq!(keys, ["a/1", "a/2"]);
        assert_eq!(b.list("").count(), 4);
    }

    #[test]
    fn etag_is_the_quoted_md5() {
        let o = Object::new(b"hello".to_vec());
        assert_eq!(o.etag(), "\"5d41402abc4b2a76b9719d911017c592\"");
    }
}
