"""The interface layer: the command line, terminal tables and the report page."""
