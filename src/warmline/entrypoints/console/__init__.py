"""The human agent console: queue, conversation and supervisor views (docs/console.md)."""
