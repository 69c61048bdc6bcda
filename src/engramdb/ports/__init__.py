"""Contracts that backends and providers implement."""
