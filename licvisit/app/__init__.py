"""The application layer: one function per command, reading inputs, running the stages, writing folders."""
