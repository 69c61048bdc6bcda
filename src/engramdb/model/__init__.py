"""The pure domain model: value types with no I/O."""
