//! Sorting failures into user / internal, with `error:` / `caused by:` / `hint:` messages.

use std::fmt;

/// The job ran to completion but its answer is "no" (a gate verdict of fail, a budget that
/// does not fit): exit 1, nothing more to print.
#[derive(Debug)]
pub struct Failed;

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("failed")
    }
}
impl std::error::Error for Failed {}

/// The user stopped the job (Ctrl-C) and it wrote what it had finished: exit 130, as a shell
/// reports a process stopped by SIGINT. The message says how to continue.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Interrupted {}

/// A problem with the user's input: exit 2.
#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for UserError {}

pub fn report(result: anyhow::Result<()>) -> i32 {
    let err = match result {
        Ok(()) => return 0,
        Err(e) => e,
    };
    if err.downcast_ref::<Failed>().is_some() {
        return 1;
    }
    if let Some(i) = err.downcast_ref::<Interrupted>() {
        eprintln!("{i}");
        return 130;
    }
    // A closed stdout (`candor ... | head`) is not an error.
    if let Some(io) = err.root_cause().downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            return 0;
        }
    }
    let user = err.chain().find_map(|e| e.downcast_ref::<UserError>());
    let (message, causes) = messages(&err);
    eprintln!("error: {message}");
    for cause in causes {
        eprintln!("  caused by: {cause}");
    }
    if let Some(hint) = user.and_then(|u| u.hint.as_deref()) {
        eprintln!("hint: {hint}");
    }
    if user.is_some() || is_user_facing(&err) {
        2
    } else {
        3
    }
}

/// The error's message and the causes worth printing under it: a cause whose text an outer
/// message already quotes (most of candor's errors include their source) is said once.
fn messages(err: &anyhow::Error) -> (String, Vec<String>) {
    let message = err.to_string();
    let mut said = message.clone();
    let mut causes = Vec::new();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !said.contains(&c) {
            said.push('\n');
            said.push_str(&c);
            causes.push(c);
        }
    }
    (message, causes)
}

/// I/O on files the user named and parse errors are the user's to fix.
fn is_user_facing(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some()
            || e.downcast_ref::<serde_json::Error>().is_some()
            || e.downcast_ref::<candor_engine::ingest::IngestError>()
                .is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error whose message quotes its source, or not.
    #[derive(Debug)]
    struct Wrap(&'static str, bool, std::io::Error);

    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if self.1 {
                write!(f, "{}: {}", self.0, self.2)
            } else {
                f.write_str(self.0)
            }
        }
    }

    impl std::error::Error for Wrap {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.2)
        }
    }

    /// A cause already quoted by the message above it is not printed again; one that adds
    /// something is.
    #[test]
    fn causes_the_message_already_quotes_are_said_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::AlreadyExists, "File exists");
        let e = anyhow::Error::new(Wrap("outbox I/O on `x`", true, io()))
            .context("outbox: outbox I/O on `x`: File exists");
        let (message, causes) = messages(&e);
        assert_eq!(message, "outbox: outbox I/O on `x`: File exists");
        assert!(causes.is_empty(), "{causes:?}");
        let e = anyhow::Error::new(Wrap("reading the list", false, io()));
        assert_eq!(messages(&e).1, vec!["File exists".to_string()]);
    }
}
