//! Finding case files: files as given, and the `*.json` files under directories, recursively.
//! Hidden files (`.…`, such as the temporaries of [`super::write::write_atomic`]) are always
//! passed over.

use std::path::{Path, PathBuf};

use super::load::LoadError;

/// What a directory walk does with files that are not case files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Under `corpus/cases/`: every file must be a `*.json` case file; anything else is an error.
    Corpus,
    /// Anywhere else (`corpus/pending/`, `aslcheck generate --out` directories): other files
    /// and `manifest.json` are passed over.
    Lenient,
}

/// The case files at `paths`, sorted within each directory, and the problems found on the way
/// (unreadable directories, missing paths, and — for [`Walk::Corpus`] — stray files).
pub fn case_files(paths: &[PathBuf], walk: Walk) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        collect(p, walk, &mut files, &mut errors);
    }
    (files, errors)
}

fn problem(file: &Path, message: impl Into<String>) -> LoadError {
    LoadError {
        file: file.to_path_buf(),
        pointer: String::new(),
        message: message.into(),
    }
}

fn collect(path: &Path, walk: Walk, files: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(e) => e.flatten().map(|e| e.path()).collect(),
            Err(e) => {
                errors.push(problem(path, format!("cannot read the directory: {e}")));
                return;
            }
        };
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || (walk == Walk::Lenient && name == "manifest.json") {
                continue;
            }
            if p.is_dir() {
                collect(&p, walk, files, errors);
            } else if name.ends_with(".json") {
                files.push(p);
            } else if walk == Walk::Corpus {
                errors.push(problem(&p, "only case files (*.json) may be under cases/"));
            }
        }
    } else if path.exists() {
        files.push(path.to_path_buf());
    } else {
        errors.push(problem(path, "no such file or directory"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sort_skip_hidden_files_and_apply_their_policy() {
        let dir = std::env::temp_dir().join(format!("aslcheck-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a")).unwrap();
        for f in [
            "b.json",
            "a/c.json",
            ".hidden.json",
            "manifest.json",
            "notes.txt",
        ] {
            std::fs::write(dir.join(f), "{}").unwrap();
        }
        let (files, errors) = case_files(std::slice::from_ref(&dir), Walk::Lenient);
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a/c.json", "b.json"]);
        assert!(errors.is_empty());
        let (files, errors) = case_files(std::slice::from_ref(&dir), Walk::Corpus);
        assert_eq!(files.len(), 3, "manifest.json is a case file under cases/");
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .to_string()
            .ends_with("notes.txt: only case files (*.json) may be under cases/"));
        let (_, errors) = case_files(&[dir.join("missing")], Walk::Lenient);
        assert!(errors[0]
            .to_string()
            .ends_with("missing: no such file or directory"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
