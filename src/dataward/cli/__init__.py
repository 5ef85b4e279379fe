"""The ``dataward`` command line: one module per command group."""
