//! Label values with a bounded set: what `labels(name = argument)` and `error_type` accept.

/// A type whose values can be a metric label value: its set of values is small and known.
///
/// Every distinct label value is a time series of its own, so a label fed from a `String`, an
/// integer or a user id multiplies the series without bound and can take a Prometheus server
/// down. This trait is implemented for `bool`, `&'static str` (literals) and fieldless enums
/// that `#[derive(LabelValue)]`; `#[monitored(labels(name = expr))]` refuses anything else at
/// compile time.
///
/// The derive gives each variant its name in snake_case; `#[label(rename = "...")]` on a
/// variant picks another value.
///
/// ```
/// use metrics_runtime::{monitored, LabelValue};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Plan {
///     Free,
///     TeamPro,
///     #[label(rename = "enterprise")]
///     Custom,
/// }
///
/// #[monitored(labels(plan = plan))]
/// fn checkout(plan: Plan) -> u32 {
///     match plan {
///         Plan::Free => 0,
///         Plan::TeamPro => 20,
///         Plan::Custom => 100,
///     }
/// }
///
/// assert_eq!(Plan::TeamPro.label_value(), "team_pro");
/// assert_eq!(Plan::Custom.label_value(), "enterprise");
/// assert_eq!(Plan::label_values(), Some(&["free", "team_pro", "enterprise"][..]));
/// assert_eq!(checkout(Plan::TeamPro), 20);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a metric label value: its set of values is unbounded",
    label = "a label value must come from a small, fixed set",
    note = "every distinct label value creates a time series; a `String`, a number or a borrowed `&str` can take any value and would blow up the number of series",
    note = "map the value to a fieldless enum with `#[derive(metrics_runtime::LabelValue)]` (e.g. `enum Plan {{ Free, Pro }}`), or pass a `bool` or a `&'static str` literal"
)]
pub trait LabelValue {
    /// Every value of the type, in the order of [`label_index`](LabelValue::label_index), or
    /// `None` when the set is not listed up front (`&'static str`).
    fn label_values() -> Option<&'static [&'static str]>
    where
        Self: Sized;

    /// Position of this value in [`label_values`](LabelValue::label_values) (0 when not listed).
    fn label_index(&self) -> usize;

    /// The label value written in the exposition.
    fn label_value(&self) -> &'static str;
}

impl LabelValue for bool {
    fn label_values() -> Option<&'static [&'static str]> {
        Some(&["false", "true"])
    }

    fn label_index(&self) -> usize {
        usize::from(*self)
    }

    fn label_value(&self) -> &'static str {
        if *self {
            "true"
        } else {
            "false"
        }
    }
}

impl LabelValue for &'static str {
    fn label_values() -> Option<&'static [&'static str]> {
        None
    }

    fn label_index(&self) -> usize {
        0
    }

    fn label_value(&self) -> &'static str {
        self
    }
}

/// A reference to a label value is one too, so `labels(plan = plan)` works for `plan: &Plan`.
impl<T: LabelValue> LabelValue for &T {
    fn label_values() -> Option<&'static [&'static str]> {
        T::label_values()
    }

    fn label_index(&self) -> usize {
        (**self).label_index()
    }

    fn label_value(&self) -> &'static str {
        (**self).label_value()
    }
}

/// A bounded `error_type` label for an error value.
///
/// `#[derive(ErrorLabel)]` on an error enum gives each variant's name in snake_case (works next
/// to `thiserror::Error`); `#[error_label(rename = "...")]` picks another name and
/// `#[error_label(transparent)]` on a one-field variant asks the field (for example the
/// `std::io::Error` a variant wraps, labelled by its kind). On a struct the label is the
/// struct's name in snake_case. Errors without this trait are labelled by their type's short
/// name; the message is never used, its cardinality is unbounded.
///
/// ```
/// use metrics_runtime::ErrorLabel;
///
/// #[derive(Debug, ErrorLabel)]
/// enum FetchError {
///     Timeout,
///     RateLimited { retry_after: u64 },
///     #[error_label(rename = "bad_upstream")]
///     Upstream(u16),
///     #[error_label(transparent)]
///     Io(std::io::Error),
/// }
///
/// assert_eq!(FetchError::RateLimited { retry_after: 3 }.error_label(), "rate_limited");
/// assert_eq!(FetchError::Upstream(502).error_label(), "bad_upstream");
/// let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert_eq!(FetchError::Io(io).error_label(), "connection_refused");
/// ```
pub trait ErrorLabel {
    /// The `error_type` label value of this error.
    fn error_label(&self) -> &'static str;
}

impl ErrorLabel for std::io::Error {
    fn error_label(&self) -> &'static str {
        io_error_kind_label(self.kind())
    }
}

impl<E: ErrorLabel + ?Sized> ErrorLabel for Box<E> {
    fn error_label(&self) -> &'static str {
        (**self).error_label()
    }
}

/// The snake_case name of an I/O error kind; kinds added to std after this list read
/// `uncategorized`, so the set stays bounded.
pub(crate) fn io_error_kind_label(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind::*;
    match kind {
        NotFound => "not_found",
        PermissionDenied => "permission_denied",
        ConnectionRefused => "connection_refused",
        ConnectionReset => "connection_reset",
        HostUnreachable => "host_unreachable",
        NetworkUnreachable => "network_unreachable",
        ConnectionAborted => "connection_aborted",
        NotConnected => "not_connected",
        AddrInUse => "addr_in_use",
        AddrNotAvailable => "addr_not_available",
        NetworkDown => "network_down",
        BrokenPipe => "broken_pipe",
        AlreadyExists => "already_exists",
        WouldBlock => "would_block",
        NotADirectory => "not_a_directory",
        IsADirectory => "is_a_directory",
        DirectoryNotEmpty => "directory_not_empty",
        ReadOnlyFilesystem => "read_only_filesystem",
        StaleNetworkFileHandle => "stale_network_file_handle",
        InvalidInput => "invalid_input",
        InvalidData => "invalid_data",
        TimedOut => "timed_out",
        WriteZero => "write_zero",
        StorageFull => "storage_full",
        NotSeekable => "not_seekable",
        QuotaExceeded => "quota_exceeded",
        FileTooLarge => "file_too_large",
        ResourceBusy => "resource_busy",
        ExecutableFileBusy => "executable_file_busy",
        Deadlock => "deadlock",
        CrossesDevices => "crosses_devices",
        TooManyLinks => "too_many_links",
        InvalidFilename => "invalid_filename",
        ArgumentListTooLong => "argument_list_too_long",
        Interrupted => "interrupted",
        Unsupported => "unsupported",
        UnexpectedEof => "unexpected_eof",
        OutOfMemory => "out_of_memory",
        Other => "other",
        _ => "uncategorized",
    }
}

/// A value that can report a failure without being an `Err`, such as an MCP tool result
/// flagged `is_error`. `#[tool_call]` and `#[monitored]` count such a value as an `error`.
///
/// ```
/// use metrics_runtime::ErrorFlag;
///
/// struct Reply {
///     failed: bool,
/// }
///
/// impl ErrorFlag for Reply {
///     fn error_flag(&self) -> Option<&'static str> {
///         self.failed.then_some("reply_failed")
///     }
/// }
///
/// assert_eq!(Reply { failed: true }.error_flag(), Some("reply_failed"));
/// assert_eq!(Reply { failed: false }.error_flag(), None);
/// ```
pub trait ErrorFlag {
    /// `Some(error_type)` when the value reports a failure.
    fn error_flag(&self) -> Option<&'static str>;
}

#[cfg(feature = "rmcp")]
impl ErrorFlag for rmcp::model::CallToolResult {
    /// A tool result with `is_error: Some(true)` is a failed call, `error_type="tool_error"`.
    fn error_flag(&self) -> Option<&'static str> {
        (self.is_error == Some(true)).then_some("tool_error")
    }
}

#[cfg(feature = "rmcp")]
impl ErrorLabel for rmcp::ErrorData {
    /// A protocol error returned by a tool handler, labelled by its JSON-RPC code.
    fn error_label(&self) -> &'static str {
        use rmcp::model::ErrorCode;
        match self.code {
            ErrorCode::INVALID_PARAMS => "invalid_params",
            ErrorCode::INVALID_REQUEST => "invalid_request",
            ErrorCode::METHOD_NOT_FOUND => "method_not_found",
            ErrorCode::INTERNAL_ERROR => "internal_error",
            ErrorCode::PARSE_ERROR => "parse_error",
            ErrorCode::RESOURCE_NOT_FOUND => "resource_not_found",
            _ => "mcp_error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_kinds_are_snake_case() {
        assert_eq!(
            io_error_kind_label(std::io::ErrorKind::TimedOut),
            "timed_out"
        );
        assert_eq!(std::io::Error::other("x").error_label(), "other");
    }

    #[test]
    fn bool_values_match_indices() {
        let values = bool::label_values().unwrap();
        for value in [false, true] {
            assert_eq!(values[value.label_index()], value.label_value());
        }
    }
}
