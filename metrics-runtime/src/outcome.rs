//! How a returned value becomes an outcome: `ok`, or `error` with a bounded `error_type`.
//!
//! The value is classified by its type, not by how the return type is spelled, so `Result`
//! aliases (`io::Result<T>`, `anyhow::Result<T>`) count. This uses autoref specialization: the
//! generated code calls `(&&&&&&Probe(&value)).metrics_runtime_outcome()` with every `Via*`
//! trait in scope, and method resolution picks the most specific impl that applies. The methods
//! take `&self`, so the impl for `&&&&&Probe` (five references) is the one found at the first,
//! by-value step on six references; with five, the four-reference impl would win there.

use std::any::type_name;

use crate::labels::{ErrorFlag, ErrorLabel};

/// How a call ended, as the `status` label says it.
///
/// ```
/// use metrics_runtime::outcome::Status;
/// let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
/// assert_eq!(statuses, ["ok", "error", "panic", "cancelled"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Returned a value that is not an error.
    Ok,
    /// Returned `Err`, or a value whose [`ErrorFlag`] reports a failure.
    Error,
    /// Panicked.
    Panic,
    /// A future dropped before it completed.
    Cancelled,
}

impl Status {
    /// Every status, in the order of their index.
    pub const ALL: [Status; 4] = [Status::Ok, Status::Error, Status::Panic, Status::Cancelled];

    /// The `status` label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Panic => "panic",
            Status::Cancelled => "cancelled",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// The `error_type` of a failed call.
///
/// ```
/// use metrics_runtime::outcome::{ErrorType, Outcome};
/// let failed: Result<(), std::io::Error> = Err(std::io::ErrorKind::TimedOut.into());
/// assert_eq!(metrics_runtime::classify!(&failed), Outcome::Error(ErrorType::Label("timed_out")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    /// A label chosen by the error ([`ErrorLabel`], [`ErrorFlag`]).
    Label(&'static str),
    /// The full type name of an error without [`ErrorLabel`]; it is shortened once, on first
    /// use (`core::num::error::ParseIntError` becomes `ParseIntError`).
    TypeName(&'static str),
}

/// The result of a call as it is counted.
///
/// ```
/// use metrics_runtime::outcome::Outcome;
/// assert_eq!(metrics_runtime::classify!(&Ok::<u8, String>(1)), Outcome::Ok);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Counted as `status="ok"`.
    Ok,
    /// Counted as `status="error"` and in the errors family.
    Error(ErrorType),
}

/// Wraps a returned value for classification (used by [`classify!`](crate::classify)).
#[doc(hidden)]
pub struct Probe<'a, T: ?Sized>(pub &'a T);

macro_rules! via {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[doc(hidden)]
        pub trait $name {
            /// The outcome of the probed value.
            fn metrics_runtime_outcome(&self) -> Outcome;
        }
    };
}

via!(
    /// `Ok` values that flag an error, with a labelled error type.
    ViaFlagLabel
);
via!(
    /// `Ok` values that flag an error, with any error type.
    ViaFlagAny
);
via!(
    /// `Result` whose error type has an [`ErrorLabel`].
    ViaLabel
);
via!(
    /// `Result` with any error type: its type name.
    ViaTypeName
);
via!(
    /// A plain value that may flag an error.
    ViaFlag
);
via!(
    /// Anything else: `ok`.
    ViaOther
);

fn flagged(value: &impl ErrorFlag) -> Outcome {
    match value.error_flag() {
        Some(label) => Outcome::Error(ErrorType::Label(label)),
        None => Outcome::Ok,
    }
}

impl<T: ErrorFlag, E: ErrorLabel> ViaFlagLabel for &&&&&Probe<'_, Result<T, E>> {
    fn metrics_runtime_outcome(&self) -> Outcome {
        match self.0 {
            Ok(value) => flagged(value),
            Err(error) => Outcome::Error(ErrorType::Label(error.error_label())),
        }
    }
}

impl<T: ErrorFlag, E> ViaFlagAny for &&&&Probe<'_, Result<T, E>> {
    fn metrics_runtime_outcome(&self) -> Outcome {
        match self.0 {
            Ok(value) => flagged(value),
            Err(_) => Outcome::Error(ErrorType::TypeName(type_name::<E>())),
        }
    }
}

impl<T, E: ErrorLabel> ViaLabel for &&&Probe<'_, Result<T, E>> {
    fn metrics_runtime_outcome(&self) -> Outcome {
        match self.0 {
            Ok(_) => Outcome::Ok,
            Err(error) => Outcome::Error(ErrorType::Label(error.error_label())),
        }
    }
}

impl<T, E> ViaTypeName for &&Probe<'_, Result<T, E>> {
    fn metrics_runtime_outcome(&self) -> Outcome {
        match self.0 {
            Ok(_) => Outcome::Ok,
            Err(_) => Outcome::Error(ErrorType::TypeName(type_name::<E>())),
        }
    }
}

impl<T: ErrorFlag> ViaFlag for &Probe<'_, T> {
    fn metrics_runtime_outcome(&self) -> Outcome {
        flagged(self.0)
    }
}

impl<T: ?Sized> ViaOther for Probe<'_, T> {
    fn metrics_runtime_outcome(&self) -> Outcome {
        Outcome::Ok
    }
}

/// Classifies a value; what the generated code expands to, usable by hand.
///
/// ```
/// use metrics_runtime::outcome::{ErrorType, Outcome};
///
/// let parsed: Result<u8, std::num::ParseIntError> = "x".parse();
/// assert_eq!(
///     metrics_runtime::classify!(&parsed),
///     Outcome::Error(ErrorType::TypeName("core::num::error::ParseIntError"))
/// );
/// let io: std::io::Result<()> = Err(std::io::ErrorKind::NotFound.into());
/// assert_eq!(metrics_runtime::classify!(&io), Outcome::Error(ErrorType::Label("not_found")));
/// assert_eq!(metrics_runtime::classify!(&42), Outcome::Ok);
/// ```
#[macro_export]
macro_rules! classify {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use $crate::outcome::{
            ViaFlag as _, ViaFlagAny as _, ViaFlagLabel as _, ViaLabel as _, ViaOther as _,
            ViaTypeName as _,
        };
        (&&&&&&$crate::outcome::Probe($value)).metrics_runtime_outcome()
    }};
}

/// The short name of a type: every path segment reduced to its last identifier,
/// `alloc::boxed::Box<dyn core::error::Error + Send>` becomes `Box<dyn Error + Send>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut short = String::with_capacity(full.len());
    let mut segment_start = 0;
    for (index, ch) in full.char_indices() {
        match ch {
            ':' => segment_start = index + 1,
            '<' | '>' | ',' | ' ' | '(' | ')' | '[' | ']' | ';' | '&' | '*' => {
                short.push_str(&full[segment_start..index]);
                short.push(ch);
                segment_start = index + 1;
            }
            _ => {}
        }
    }
    short.push_str(&full[segment_start..]);
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Labelled {
        Busy,
    }
    impl ErrorLabel for Labelled {
        fn error_label(&self) -> &'static str {
            match self {
                Labelled::Busy => "busy",
            }
        }
    }

    struct Flagged(bool);
    impl ErrorFlag for Flagged {
        fn error_flag(&self) -> Option<&'static str> {
            self.0.then_some("flagged")
        }
    }

    type AliasResult<T> = Result<T, std::fmt::Error>;

    #[test]
    fn classifies_by_value_and_type() {
        let labelled: Result<(), Labelled> = Err(Labelled::Busy);
        assert_eq!(
            crate::classify!(&labelled),
            Outcome::Error(ErrorType::Label("busy"))
        );
        let alias: AliasResult<u8> = Err(std::fmt::Error);
        assert_eq!(
            crate::classify!(&alias),
            Outcome::Error(ErrorType::TypeName("core::fmt::Error"))
        );
        let fine: AliasResult<u8> = Ok(1);
        assert_eq!(crate::classify!(&fine), Outcome::Ok);
        assert_eq!(
            crate::classify!(&Flagged(true)),
            Outcome::Error(ErrorType::Label("flagged"))
        );
        assert_eq!(crate::classify!(&Flagged(false)), Outcome::Ok);
        let flagged_ok: Result<Flagged, Labelled> = Ok(Flagged(true));
        assert_eq!(
            crate::classify!(&flagged_ok),
            Outcome::Error(ErrorType::Label("flagged"))
        );
        let labelled_err: Result<Flagged, Labelled> = Err(Labelled::Busy);
        assert_eq!(
            crate::classify!(&labelled_err),
            Outcome::Error(ErrorType::Label("busy"))
        );
        let flagged_err: Result<Flagged, std::fmt::Error> = Err(std::fmt::Error);
        assert_eq!(
            crate::classify!(&flagged_err),
            Outcome::Error(ErrorType::TypeName("core::fmt::Error"))
        );
        assert_eq!(crate::classify!(&()), Outcome::Ok);
        assert_eq!(crate::classify!("text"), Outcome::Ok);
    }

    #[test]
    fn short_names_drop_paths_everywhere() {
        assert_eq!(
            short_type_name("core::num::error::ParseIntError"),
            "ParseIntError"
        );
        assert_eq!(
            short_type_name("alloc::boxed::Box<dyn core::error::Error + core::marker::Send>"),
            "Box<dyn Error + Send>"
        );
        assert_eq!(short_type_name("(my::A, [u8; 3])"), "(A, [u8; 3])");
        assert_eq!(short_type_name("Plain"), "Plain");
    }
}
