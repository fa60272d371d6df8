//! Starting an adapter: `external:<dir>` (a `command` file) or `external:<command line>`.

use std::path::{Path, PathBuf};

/// The file in an adapter directory that holds the command line to start it.
pub const COMMAND_FILE: &str = "command";

/// How to start an adapter: a program, its arguments and the directory to run it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub program: String,
    pub args: Vec<String>,
    pub dir: Option<PathBuf>,
}

impl Launch {
    /// `external:<target>`: a directory holding a `command` file (its first line that is not
    /// empty or a `#` comment is the command, run inside the directory), or else a command line.
    /// Words are split at whitespace; single or double quotes keep a word together.
    pub fn resolve(target: &str) -> Result<Launch, String> {
        let path = Path::new(target);
        let (line, dir) = if path.is_dir() {
            let file = path.join(COMMAND_FILE);
            let text = std::fs::read_to_string(&file).map_err(|e| {
                format!("external:{target}: the directory has no readable {COMMAND_FILE} file ({e}); put the command that starts the adapter in {}", file.display())
            })?;
            let line = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .ok_or_else(|| format!("external:{target}: {} is empty", file.display()))?
                .to_string();
            (line, Some(path.to_path_buf()))
        } else {
            (target.to_string(), None)
        };
        let mut words = split_words(&line).map_err(|e| format!("external:{target}: {e}"))?;
        if words.is_empty() {
            return Err(format!("external:{target}: no command"));
        }
        let program = words.remove(0);
        Ok(Launch {
            program,
            args: words,
            dir,
        })
    }
}

pub(super) fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unbalanced quote in the command".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

pub(super) fn describe(launch: &Launch) -> String {
    let mut s = launch.program.clone();
    for a in &launch.args {
        s.push(' ');
        s.push_str(a);
    }
    match &launch.dir {
        Some(d) => format!("`{s}` in {}", d.display()),
        None => format!("`{s}`"),
    }
}
