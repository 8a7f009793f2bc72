//! The exemplar source of the `opentelemetry` feature: the trace and span IDs of the current
//! `tracing` span, as `tracing-opentelemetry` keeps them.

use opentelemetry::trace::TraceContextExt as _;

use super::ExemplarLabels;

impl ExemplarLabels {
    /// `trace_id` and `span_id` of the current `tracing` span's OpenTelemetry context; `None`
    /// outside a span, without a `tracing-opentelemetry` layer, or when the trace is not
    /// sampled (its exemplar would lead to a trace nobody kept). Allocates nothing once the
    /// span's OpenTelemetry context exists.
    ///
    /// The exporter uses it as its exemplar source unless given another with
    /// [`ExporterBuilder::exemplars`](crate::ExporterBuilder::exemplars).
    ///
    /// ```
    /// // No subscriber in this example, hence no span.
    /// assert!(metrics_runtime::ExemplarLabels::from_current_span().is_none());
    /// ```
    pub fn from_current_span() -> Option<Self> {
        tracing::dispatcher::get_default(|dispatch| {
            let current = dispatch.current_span();
            let id = current.id()?;
            let context = tracing_opentelemetry::get_otel_context(id, dispatch)?;
            let span = context.span();
            let span_context = span.span_context();
            if !span_context.is_valid() || !span_context.is_sampled() {
                return None;
            }
            Some(Self::trace(
                u128::from_be_bytes(span_context.trace_id().to_bytes()),
                u64::from_be_bytes(span_context.span_id().to_bytes()),
            ))
        })
    }
}
